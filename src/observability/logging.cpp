#include "observability/logging.hpp"

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <chrono>
#include <memory>

#include "util/time.hpp"

namespace authd::observability {
namespace {

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto time = std::chrono::floor<std::chrono::milliseconds>(msg.time);
    std::string line = "{\"time\":\"" + util::to_iso8601(util::TimePoint(time.time_since_epoch())) +
                       "\",\"level\":\"" +
                       std::string(spdlog::level::to_string_view(msg.level).data(),
                                   spdlog::level::to_string_view(msg.level).size()) +
                       "\",";
    const std::string_view text(msg.payload.data(), msg.payload.size());
    boost::system::error_code ec;
    const bool object =
        text.size() > 2 && text.front() == '{' && boost::json::parse(text, ec).is_object() && !ec;
    if (object) {
      line.append(text.substr(1));  // a structured line (access log, security event): merge
    } else {
      line.append("\"message\":").append(boost::json::serialize(boost::json::string(text)));
      line.append("}");
    }
    line.append("\n");
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

void configure_logging(LogFormat format, spdlog::level::level_enum level) {
  spdlog::set_level(level);
  if (format == LogFormat::json) {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
}

}  // namespace authd::observability
