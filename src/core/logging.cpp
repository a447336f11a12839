#include "glacier/core/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "glacier/core/clock.hpp"

namespace glacier {

namespace {

std::atomic<bool> json_mode{false};

// Extra fields for the JSON line being formatted. spdlog's default logger is synchronous,
// so the formatter runs on the thread that logged and can read them from here.
thread_local const nlohmann::ordered_json* pending_fields = nullptr;

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return "off";
}

spdlog::level::level_enum parse_level(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "warn") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "off") return spdlog::level::off;
  return spdlog::level::info;
}

// One JSON object per line; hand-built patterns cannot escape the message safely.
class json_formatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::ordered_json line;
    line["time"] = format_iso8601(std::chrono::time_point_cast<duration>(msg.time));
    line["level"] = level_name(msg.level);
    line["msg"] = std::string_view(msg.payload.data(), msg.payload.size());
    if (pending_fields != nullptr) {
      for (const auto& [key, value] : pending_fields->items()) line[key] = value;
    }
    const auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<json_formatter>();
  }
};

}  // namespace

void setup_logging(const config& cfg) {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  const bool json = cfg.log_format == "json";
  if (json) {
    sink->set_formatter(std::make_unique<json_formatter>());
  } else {
    sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc));
  }
  auto logger = std::make_shared<spdlog::logger>("glacier-mock", std::move(sink));
  logger->set_level(parse_level(cfg.log_level));
  logger->flush_on(spdlog::level::trace);
  json_mode = json;
  spdlog::set_default_logger(std::move(logger));
}

void log_access(const access_log_entry& entry) {
  const double millis = static_cast<double>(entry.duration.count()) / 1000.0;
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(spdlog::level::info)) return;
  if (!json_mode) {
    logger->info(
        "{} {} {} {} {:.3f}ms {}B id={} remote={}{}{}{}{}{}", entry.method, entry.target,
        entry.operation.empty() ? std::string_view("-") : entry.operation, entry.status, millis,
        entry.bytes_sent, entry.request_id.empty() ? std::string_view("-") : entry.request_id,
        entry.remote, entry.principal.empty() ? "" : " principal=", entry.principal,
        entry.fault.empty() ? "" : " fault=\"", entry.fault, entry.fault.empty() ? "" : "\"");
    return;
  }
  nlohmann::ordered_json fields;
  fields["method"] = entry.method;
  fields["target"] = entry.target;
  fields["operation"] = entry.operation;
  fields["status"] = entry.status;
  fields["duration_ms"] = millis;
  fields["bytes_sent"] = entry.bytes_sent;
  fields["request_id"] = entry.request_id;
  fields["remote"] = entry.remote;
  if (!entry.principal.empty()) fields["principal"] = entry.principal;
  if (!entry.fault.empty()) fields["fault"] = entry.fault;
  pending_fields = &fields;
  logger->info("access");
  pending_fields = nullptr;
}

}  // namespace glacier
