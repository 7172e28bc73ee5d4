// Runs a shell command for a test and collects what it printed (standard output and error).
#pragma once

#include <string>

namespace authd::test {

struct CommandResult {
  int exit_status = -1;  // -1 when the command could not run or did not exit normally
  std::string output;
};

CommandResult run_command(const std::string& command);

}  // namespace authd::test
