#include "support/command.hpp"

#include <sys/wait.h>

#include <cstdio>

namespace authd::test {

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char chunk[1024];
  while (std::fgets(chunk, sizeof chunk, pipe)) result.output += chunk;
  const int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
  return result;
}

}  // namespace authd::test
