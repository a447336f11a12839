#include "glacier/core/config.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <utility>

#include "glacier/core/http_endpoint.hpp"

namespace glacier {

namespace {

constexpr std::string_view env_prefix = "GLACIER_MOCK_";
constexpr std::string_view default_config_path = "config/glacier-mock.json";
// Ten years: long enough for any test scenario, small enough that no millisecond
// arithmetic on the value can overflow.
constexpr std::uint64_t max_millis = 10ULL * 365 * 24 * 3600 * 1000;
// 1 TiB/s: faster than any link, and small enough that the session's bytes-per-window
// arithmetic (rate x milliseconds, saturating) stays simple.
constexpr std::uint64_t max_body_rate = 1ULL << 40;

// Thrown by a knob's parser with the reason only; the caller adds key, value and source.
struct bad_value {
  std::string reason;
};

// One knob as this file knows it: the public config_knob fields are all derived from it,
// so a knob is declared exactly once.
struct knob_spec {
  std::string key;
  std::string alias;  // an extra, shorter flag ("--account"), or empty
  std::string hint;   // placeholder for the value in --help
  std::string help;
  std::function<void(config&, std::string_view)> apply;
  std::function<std::string(const config&)> show;
};

std::uint64_t parse_unsigned(std::string_view text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto* first = text.data();
  const auto* last = text.data() + text.size();
  const auto result = std::from_chars(first, last, value);
  const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
  if (text.empty() || result.ec == std::errc::invalid_argument || result.ptr != last) {
    throw bad_value{"expected a whole number " + range};
  }
  if (result.ec == std::errc::result_out_of_range || value < min || value > max) {
    throw bad_value{"out of range, expected " + range};
  }
  return value;
}

template <typename T>
knob_spec integer_knob(std::string key, std::string hint, std::string help, T config::*member,
                       std::uint64_t min, std::uint64_t max) {
  return {std::move(key),
          "",
          std::move(hint),
          std::move(help),
          [member, min, max](config& cfg, std::string_view text) {
            cfg.*member = static_cast<T>(parse_unsigned(text, min, max));
          },
          [member](const config& cfg) { return std::to_string(cfg.*member); }};
}

// A duration knob whose value is written in units of `scale` milliseconds.
knob_spec duration_knob(std::string key, std::string help, duration config::*member,
                        std::uint64_t min, std::uint64_t scale) {
  std::string hint = scale == 1 ? "MS" : "SECONDS";
  return {std::move(key),
          "",
          std::move(hint),
          std::move(help),
          [member, min, scale](config& cfg, std::string_view text) {
            const auto value = parse_unsigned(text, min, max_millis / scale);
            cfg.*member = duration(static_cast<duration::rep>(value * scale));
          },
          [member, scale](const config& cfg) {
            return std::to_string((cfg.*member).count() / static_cast<duration::rep>(scale));
          }};
}

// An optional whole number: the word `unset_word` (also the shown default) means no value.
knob_spec optional_knob(std::string key, std::string help,
                        std::optional<std::uint64_t> config::*member, const std::string& unset_word,
                        std::uint64_t min, std::uint64_t max) {
  std::string hint = "N|" + unset_word;
  return {std::move(key),
          "",
          std::move(hint),
          std::move(help),
          [member, unset_word, min, max](config& cfg, std::string_view text) {
            if (text == unset_word) {
              cfg.*member = std::nullopt;
              return;
            }
            try {
              cfg.*member = parse_unsigned(text, min, max);
            } catch (const bad_value& e) {
              throw bad_value{e.reason + ", or \"" + unset_word + "\""};
            }
          },
          [member, unset_word](const config& cfg) {
            return cfg.*member ? std::to_string(*(cfg.*member)) : unset_word;
          }};
}

knob_spec choice_knob(std::string key, std::string help, std::string config::*member,
                      std::vector<std::string> choices) {
  std::string joined;
  for (const auto& choice : choices) joined += (joined.empty() ? "" : "|") + choice;
  return {std::move(key),
          "",
          joined,
          std::move(help),
          [member, choices, joined](config& cfg, std::string_view text) {
            if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
              throw bad_value{"expected one of " + joined};
            }
            cfg.*member = std::string(text);
          },
          [member](const config& cfg) { return cfg.*member; }};
}

// A switch written "true" or "false" (also in the config file, where a JSON boolean works).
knob_spec bool_knob(std::string key, std::string help, bool config::*member) {
  return {std::move(key),
          "",
          "true|false",
          std::move(help),
          [member](config& cfg, std::string_view text) {
            if (text != "true" && text != "false") throw bad_value{"expected true or false"};
            cfg.*member = text == "true";
          },
          [member](const config& cfg) { return std::string(cfg.*member ? "true" : "false"); }};
}

knob_spec string_knob(std::string key, std::string alias, std::string hint, std::string help,
                      std::string config::*member, std::function<void(std::string_view)> validate) {
  return {std::move(key),
          std::move(alias),
          std::move(hint),
          std::move(help),
          [member, validate = std::move(validate)](config& cfg, std::string_view text) {
            validate(text);
            cfg.*member = std::string(text);
          },
          [member](const config& cfg) { return cfg.*member; }};
}

void validate_host(std::string_view text) {
  const bool bad = text.empty() || std::any_of(text.begin(), text.end(), [](char c) {
                     return static_cast<unsigned char>(c) <= ' ' || c == '/';
                   });
  if (bad) throw bad_value{"expected an IP address or host name"};
}

void validate_account(std::string_view text) {
  const bool digits =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (text.size() != 12 || !digits) throw bad_value{"expected a 12-digit account id"};
}

void validate_region(std::string_view text) {
  const bool ok = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
  if (!ok) throw bad_value{"expected a region name such as us-east-1"};
}

// An SNS or S3 endpoint: empty, or an http URL parse_http_endpoint accepts.
void validate_sns_endpoint(std::string_view text) {
  if (text.empty()) return;
  try {
    parse_http_endpoint(text);
  } catch (const std::invalid_argument& e) {
    throw bad_value{e.what()};
  }
}

void validate_not_empty(std::string_view text) {
  if (text.empty()) throw bad_value{"must not be empty"};
}

void validate_anything(std::string_view /*text*/) {}

// The file is read when the knob is applied, so a bad file stops the start naming the key.
knob_spec credentials_knob() {
  return {"credentials",
          "",
          "FILE",
          "JSON file of the callers: {\"credentials\": [{\"access_key_id\", "
          "\"secret_access_key\", \"account_id\", \"user\"?, \"session_token\"?}]}; empty = "
          "none (any key is accepted as Part 1 of the spec says)",
          [](config& cfg, std::string_view text) {
            cfg.credentials.clear();
            cfg.credentials_file = std::string(text);
            if (text.empty()) return;
            try {
              cfg.credentials = read_credentials_file(cfg.credentials_file);
            } catch (const std::invalid_argument& e) {
              throw bad_value{e.what()};
            }
          },
          [](const config& cfg) { return cfg.credentials_file; }};
}

const std::vector<knob_spec>& knob_specs() {
  constexpr auto u64_max = std::numeric_limits<std::uint64_t>::max();
  static const std::vector<knob_spec> specs = {
      string_knob("host", "", "ADDR", "listen address (0.0.0.0 for all interfaces)", &config::host,
                  validate_host),
      integer_knob("port", "PORT", "listen port; 0 picks a free one", &config::port, 0, 65535),
      integer_knob("io_threads", "N",
                   "I/O threads; 0 = one per CPU the process may use (affinity, cgroup quota)",
                   &config::io_threads, 0, 1024),
      string_knob("default_account", "--account", "ID", "account id that \"-\" stands for",
                  &config::default_account, validate_account),
      string_knob("default_region", "--region", "REGION", "region when a request names none",
                  &config::default_region, validate_region),
      duration_knob("expedited_delay_ms", "time an Expedited retrieval job takes",
                    &config::expedited_delay, 0, 1),
      duration_knob("standard_delay_ms", "time a Standard retrieval job takes",
                    &config::standard_delay, 0, 1),
      duration_knob("bulk_delay_ms", "time a Bulk retrieval job takes", &config::bulk_delay, 0, 1),
      duration_knob("job_retention_seconds", "completed jobs are purged after this",
                    &config::job_retention, 0, 1000),
      integer_knob("max_header_bytes", "BYTES", "largest request line plus headers",
                   &config::max_header_bytes, 256, std::numeric_limits<std::uint32_t>::max()),
      integer_knob("max_body_bytes", "BYTES", "largest request body (413 above)",
                   &config::max_body_bytes, 0, u64_max),
      integer_knob("max_upload_bytes", "BYTES", "largest single UploadArchive body",
                   &config::max_upload_bytes, 0, u64_max),
      integer_knob("max_total_archive_bytes", "BYTES", "all archive bytes held at once",
                   &config::max_total_archive_bytes, 0, u64_max),
      duration_knob("read_timeout_ms",
                    "a started request's line and headers must arrive within this, and so "
                    "must its body unless it keeps --min-body-bytes-per-second",
                    &config::read_timeout, 1, 1),
      integer_knob("min_body_bytes_per_second", "BYTES",
                   "a request body may outlast --read-timeout-ms as long as each read-timeout "
                   "period brings at least this many bytes per second; 0 = the whole request "
                   "must arrive within one read timeout",
                   &config::min_body_bytes_per_second, 0, max_body_rate),
      duration_knob("write_timeout_ms", "a response must be taken by the client within this",
                    &config::write_timeout, 1, 1),
      duration_knob("idle_timeout_ms", "an idle keep-alive connection is closed after this",
                    &config::idle_timeout, 1, 1),
      duration_knob("shutdown_deadline_ms", "in-flight requests get this long on SIGTERM",
                    &config::shutdown_deadline, 0, 1),
      optional_knob("expedited_on_demand_per_5min",
                    "Expedited retrievals an account may start per 5 minutes without "
                    "provisioned capacity",
                    &config::expedited_on_demand_per_5min, "unlimited", 0, u64_max),
      integer_knob("free_tier_bytes_per_day", "BYTES",
                   "daily retrieval allowance under the FreeTier retrieval policy",
                   &config::free_tier_bytes_per_day, 0, u64_max),
      string_knob("sns_endpoint", "", "URL",
                  "http://HOST:PORT of an SNS (moto, LocalStack) to deliver job notifications "
                  "to; empty = only record them; https is not supported",
                  &config::sns_endpoint, validate_sns_endpoint),
      string_knob("sns_access_key_id", "", "KEY", "access key id that signs SNS requests",
                  &config::sns_access_key_id, validate_not_empty),
      string_knob("sns_secret_access_key", "", "SECRET", "secret key that signs SNS requests",
                  &config::sns_secret_access_key, validate_not_empty),
      integer_knob("sns_max_attempts", "N", "SNS Publish attempts per notification (1-20)",
                   &config::sns_max_attempts, 1, 20),
      duration_knob("sns_retry_backoff_ms",
                    "wait before the first SNS retry, doubled for each next one (at most "
                    "10 minutes)",
                    &config::sns_retry_backoff, 0, 1),
      duration_knob("sns_timeout_ms", "time limit of one SNS Publish request", &config::sns_timeout,
                    1, 1),
      string_knob("s3_endpoint", "", "URL",
                  "http://HOST:PORT of an S3 (moto, MinIO, LocalStack) to write Glacier Select "
                  "output to; empty = keep it for GET /_mock/jobs/ID/select-output; https is "
                  "not supported",
                  &config::s3_endpoint, validate_sns_endpoint),
      string_knob("s3_access_key_id", "", "KEY", "access key id that signs S3 requests",
                  &config::s3_access_key_id, validate_not_empty),
      string_knob("s3_secret_access_key", "", "SECRET", "secret key that signs S3 requests",
                  &config::s3_secret_access_key, validate_not_empty),
      integer_knob("s3_max_attempts", "N", "S3 PutObject attempts per select output object (1-20)",
                   &config::s3_max_attempts, 1, 20),
      duration_knob("s3_retry_backoff_ms",
                    "wait before the first S3 retry, doubled for each next one (at most "
                    "10 minutes)",
                    &config::s3_retry_backoff, 0, 1),
      duration_knob("s3_timeout_ms", "time limit of one S3 PutObject request", &config::s3_timeout,
                    1, 1),
      integer_knob("select_part_bytes", "BYTES",
                   "a select job's result is split into results/ parts of about this size",
                   &config::select_part_bytes, 1, u64_max),
      optional_knob("seed", "seed for generated ids and fault probabilities; random = new each run",
                    &config::seed, "random", 0, u64_max),
      string_knob("data_dir", "", "DIR", "directory for state kept on disk; empty = none",
                  &config::data_dir, validate_anything),
      bool_knob("recover",
                "start although the --data-dir journal is damaged: keep every intact record "
                "and log what is dropped",
                &config::recover),
      integer_knob("disk_reserve_bytes", "BYTES",
                   "with --data-dir, refuse changes (500) that would leave less free on its "
                   "disk; deletes may use it",
                   &config::disk_reserve_bytes, 0, u64_max),
      integer_knob("journal_compact_factor", "N",
                   "compact the journal while running once it is N times its size after the "
                   "last compaction (and past 1 MiB); 0 = only at start",
                   &config::journal_compact_factor, 0, 1000),
      bool_knob("admin",
                "serve the admin API and the web console under /_mock/; false answers them "
                "404 like any unknown path (for a port others can reach)",
                &config::admin),
      choice_knob("log_level", "least severe level logged", &config::log_level,
                  {"trace", "debug", "info", "warn", "error", "off"}),
      choice_knob("log_format", "text lines or one JSON object per line", &config::log_format,
                  {"text", "json"}),
      choice_knob("auth",
                  "accept: any or no signature passes; verify: SigV4 checked against "
                  "--credentials, as AWS checks it",
                  &config::auth, {"accept", "verify"}),
      credentials_knob(),
      bool_knob("enforce_policies",
                "apply vault access and Vault Lock policies (AccessDeniedException on a deny)",
                &config::enforce_policies),
  };
  return specs;
}

std::string env_name(std::string_view key) {
  std::string name(env_prefix);
  for (char c : key) name += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return name;
}

std::string flag_name(std::string_view key) {
  std::string name = "--";
  for (char c : key) name += c == '_' ? '-' : c;
  return name;
}

void apply_value(config& cfg, const knob_spec& spec, std::string_view value,
                 const std::string& source) {
  try {
    spec.apply(cfg, value);
  } catch (const bad_value& e) {
    throw config_error("invalid value \"" + std::string(value) + "\" for " + spec.key + " (" +
                       source + "): " + e.reason);
  }
}

const knob_spec* find_by_key(std::string_view key) {
  for (const auto& spec : knob_specs()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

const knob_spec* find_by_flag(std::string_view flag) {
  for (const auto& spec : knob_specs()) {
    if (flag_name(spec.key) == flag || (!spec.alias.empty() && spec.alias == flag)) return &spec;
  }
  return nullptr;
}

void apply_file(config& cfg, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw config_error("cannot read config file " + path);
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw config_error("cannot parse config file " + path + ": " + e.what());
  }
  if (!document.is_object()) throw config_error("config file " + path + " must hold a JSON object");
  for (const auto& [key, value] : document.items()) {
    const auto* spec = find_by_key(key);
    if (spec == nullptr) throw config_error("unknown key \"" + key + "\" in config file " + path);
    std::string text;
    if (value.is_string()) {
      text = value.get<std::string>();
    } else if (value.is_number() || value.is_boolean()) {
      text = value.dump();
    } else {
      throw config_error("invalid value " + value.dump() + " for " + key + " (config file " + path +
                         "): expected a number, a boolean or a string");
    }
    apply_value(cfg, *spec, text, "config file " + path);
  }
}

struct parsed_args {
  std::vector<std::pair<const knob_spec*, std::string>> values;
  std::optional<std::string> config_path;
  std::optional<std::string> error;  // reported only when neither --help nor --version was asked
  bool help = false;
  bool version = false;
};

parsed_args parse_args(const std::vector<std::string>& args) {
  parsed_args out;
  auto fail = [&out](std::string message) {
    if (!out.error) out.error = std::move(message);
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    if (arg == "--version" || arg == "-V") {
      out.version = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) {
      fail("unexpected argument \"" + arg + "\" (see --help)");
      continue;
    }
    const auto equals = arg.find('=');
    const std::string flag = arg.substr(0, equals);
    const knob_spec* spec = find_by_flag(flag);
    if (spec == nullptr && flag != "--config") {
      fail("unknown flag " + flag + " (see --help)");
      continue;
    }
    std::string value;
    if (equals != std::string::npos) {
      value = arg.substr(equals + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      fail("flag " + flag + " needs a value");
      continue;
    }
    if (spec == nullptr) {
      out.config_path = value;
    } else {
      out.values.emplace_back(spec, std::move(value));
    }
  }
  return out;
}

}  // namespace

const std::vector<config_knob>& config_knobs() {
  static const std::vector<config_knob> knobs = [] {
    const config defaults;
    std::vector<config_knob> out;
    for (const auto& spec : knob_specs()) {
      out.push_back(
          {spec.key, env_name(spec.key), flag_name(spec.key), spec.show(defaults), spec.help});
    }
    return out;
  }();
  return knobs;
}

launch_options load_launch_options(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& environment) {
  launch_options options;
  auto parsed = parse_args(args);
  options.show_help = parsed.help;
  options.show_version = parsed.version;
  if (parsed.help || parsed.version) return options;
  if (parsed.error) throw config_error(*parsed.error);

  const auto config_env = environment.find(env_name("config"));
  if (parsed.config_path) {
    apply_file(options.config, *parsed.config_path);
  } else if (config_env != environment.end() && !config_env->second.empty()) {
    apply_file(options.config, config_env->second);
  } else {
    std::error_code ec;
    if (std::filesystem::exists(default_config_path, ec)) {
      apply_file(options.config, std::string(default_config_path));
    }
  }

  for (const auto& spec : knob_specs()) {
    const auto name = env_name(spec.key);
    const auto it = environment.find(name);
    // An empty variable counts as unset: compose files often pass `KEY=` for "not given".
    if (it != environment.end() && !it->second.empty()) {
      apply_value(options.config, spec, it->second, "environment " + name);
    }
  }

  for (const auto& [spec, value] : parsed.values) {
    apply_value(options.config, *spec, value, "flag " + flag_name(spec->key));
  }
  // Verifying needs secrets to verify with; without any, every request would be refused.
  if (options.config.auth == "verify" && options.config.credentials.empty()) {
    throw config_error(
        "auth is \"verify\" but no credentials are declared: give --credentials FILE (env " +
        env_name("credentials") + ", file key \"credentials\") with at least one entry");
  }
  return options;
}

std::string help_text() {
  std::ostringstream out;
  out << "Usage: glacier-mock [options]\n\n"
         "A local fake of the Amazon S3 Glacier vault API.\n\n"
         "Settings come from, lowest precedence first: built-in defaults, the config file,\n"
         "GLACIER_MOCK_* environment variables, command-line flags. Flags take\n"
         "`--flag VALUE` or `--flag=VALUE`.\n\n"
         "Options:\n";
  auto entry = [&out](const std::string& left, const std::string& help, const std::string& more) {
    out << "  " << left;
    if (left.size() < 38) {
      out << std::string(38 - left.size(), ' ');
    } else {
      out << "\n  " << std::string(38, ' ');
    }
    out << help << '\n';
    if (!more.empty()) out << "  " << std::string(38, ' ') << more << '\n';
  };
  const auto& knobs = config_knobs();
  for (std::size_t i = 0; i < knobs.size(); ++i) {
    const auto& spec = knob_specs()[i];
    const auto& knob = knobs[i];
    std::string left = knob.flag;
    if (!spec.alias.empty()) left += ", " + spec.alias;
    left += " " + spec.hint;
    entry(left, knob.help,
          "env " + knob.env + ", file key \"" + knob.key + "\", default " +
              (knob.default_value.empty() ? "\"\"" : knob.default_value));
  }
  entry("--config FILE",
        "JSON config file (default: " + std::string(default_config_path) + " when present)",
        "env " + env_name("config"));
  entry("--healthcheck",
        "ask the server at --host/--port for GET /_mock/health (2 s limit); exit 0 when "
        "healthy, else 1 with one line on stderr",
        "for a Docker HEALTHCHECK; 0.0.0.0 means 127.0.0.1; with --admin false the "
        "server's 404 for that path counts as healthy");
  entry("-h, --help", "print this help and exit", "");
  entry("-V, --version", "print the version and exit", "");
  return out.str();
}

}  // namespace glacier
