// Log output: human-readable lines for a terminal, or one JSON object per line for collectors
// ({"time": ..., "level": ..., "message": ...}; structured messages such as access-log and
// security-event lines are merged in as fields).
#pragma once

#include <spdlog/common.h>

#include <string_view>

namespace authd::observability {

enum class LogFormat { text, json };

void configure_logging(LogFormat format, spdlog::level::level_enum level);

}  // namespace authd::observability
