#include "glacier/core/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace {

using env_map = std::map<std::string, std::string>;

// A config file in the temp directory, removed when the test ends.
class temp_file {
 public:
  explicit temp_file(const std::string& text) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            (std::string("glacier-config-") + info->name() + ".json");
    std::ofstream(path_) << text;
  }
  ~temp_file() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

glacier::config load(const std::vector<std::string>& args, const env_map& env = {}) {
  return glacier::load_launch_options(args, env).config;
}

// The message of the config_error that loading throws, or "" when it does not throw.
std::string error_of(const std::vector<std::string>& args, const env_map& env = {}) {
  try {
    glacier::load_launch_options(args, env);
  } catch (const glacier::config_error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(config, defaults_apply_when_nothing_is_given) {
  const auto cfg = load({});
  const glacier::config defaults;
  EXPECT_EQ(cfg.host, "127.0.0.1");
  EXPECT_EQ(cfg.port, 8080);
  EXPECT_EQ(cfg.default_account, "123456789012");
  EXPECT_EQ(cfg.default_region, "us-east-1");
  EXPECT_EQ(cfg.bulk_delay, defaults.bulk_delay);
  EXPECT_EQ(cfg.log_format, "text");
}

TEST(config, file_is_overridden_by_environment_which_is_overridden_by_flags) {
  temp_file file(R"({"port": 1111, "bulk_delay_ms": 7, "log_level": "debug", "host": "0.0.0.0"})");
  const env_map env{{"GLACIER_MOCK_PORT", "2222"}, {"GLACIER_MOCK_LOG_LEVEL", "warn"}};

  const auto from_file = load({"--config", file.path()});
  EXPECT_EQ(from_file.port, 1111);
  EXPECT_EQ(from_file.bulk_delay, glacier::duration(7));
  EXPECT_EQ(from_file.host, "0.0.0.0");

  const auto from_env = load({"--config", file.path()}, env);
  EXPECT_EQ(from_env.port, 2222);
  EXPECT_EQ(from_env.log_level, "warn");
  EXPECT_EQ(from_env.bulk_delay, glacier::duration(7));

  const auto from_flag = load({"--config", file.path(), "--port", "3333"}, env);
  EXPECT_EQ(from_flag.port, 3333);
  EXPECT_EQ(from_flag.log_level, "warn");
}

TEST(config, config_file_can_be_named_by_environment) {
  temp_file file(R"({"standard_delay_ms": 42})");
  const auto cfg = load({}, {{"GLACIER_MOCK_CONFIG", file.path()}});
  EXPECT_EQ(cfg.standard_delay, glacier::duration(42));
}

TEST(config, flags_accept_separate_and_equals_values) {
  EXPECT_EQ(load({"--port=0"}).port, 0);
  EXPECT_EQ(load({"--port", "0"}).port, 0);
  EXPECT_EQ(load({"--log-format=json"}).log_format, "json");
  EXPECT_EQ(load({"--expedited-delay-ms", "5"}).expedited_delay, glacier::duration(5));
}

TEST(config, short_aliases_set_account_and_region) {
  const auto cfg = load({"--account", "111122223333", "--region=eu-west-1"});
  EXPECT_EQ(cfg.default_account, "111122223333");
  EXPECT_EQ(cfg.default_region, "eu-west-1");
  EXPECT_EQ(load({"--default-account=444455556666"}).default_account, "444455556666");
}

TEST(config, seconds_knob_converts_to_milliseconds) {
  EXPECT_EQ(load({"--job-retention-seconds", "10"}).job_retention, glacier::duration(10'000));
}

TEST(config, empty_environment_value_counts_as_unset) {
  EXPECT_EQ(load({}, {{"GLACIER_MOCK_PORT", ""}}).port, 8080);
}

TEST(config, bad_values_name_the_key_and_the_value) {
  auto message = error_of({"--port", "abc"});
  EXPECT_TRUE(contains(message, "port") && contains(message, "abc")) << message;

  message = error_of({"--port=70000"});
  EXPECT_TRUE(contains(message, "port") && contains(message, "70000")) << message;

  message = error_of({}, {{"GLACIER_MOCK_LOG_LEVEL", "loud"}});
  EXPECT_TRUE(contains(message, "log_level") && contains(message, "loud")) << message;
  EXPECT_TRUE(contains(message, "GLACIER_MOCK_LOG_LEVEL")) << message;

  message = error_of({"--account", "123"});
  EXPECT_TRUE(contains(message, "default_account") && contains(message, "123")) << message;

  message = error_of({"--bulk-delay-ms", "-1"});
  EXPECT_TRUE(contains(message, "bulk_delay_ms") && contains(message, "-1")) << message;

  message = error_of({"--log-format", "xml"});
  EXPECT_TRUE(contains(message, "log_format") && contains(message, "xml")) << message;

  message = error_of({"--read-timeout-ms", "0"});
  EXPECT_TRUE(contains(message, "read_timeout_ms")) << message;
}

TEST(config, bad_value_in_file_names_key_value_and_file) {
  temp_file file(R"({"io_threads": "many"})");
  const auto message = error_of({"--config=" + file.path()});
  EXPECT_TRUE(contains(message, "io_threads") && contains(message, "many")) << message;
  EXPECT_TRUE(contains(message, file.path())) << message;
}

TEST(config, non_scalar_value_in_file_is_rejected) {
  temp_file file(R"({"port": [1]})");
  EXPECT_TRUE(contains(error_of({"--config", file.path()}), "port"));
}

TEST(config, unknown_key_in_file_is_rejected) {
  temp_file file(R"({"prot": 1})");
  EXPECT_TRUE(contains(error_of({"--config", file.path()}), "prot"));
}

TEST(config, unreadable_or_malformed_named_file_is_an_error) {
  EXPECT_TRUE(contains(error_of({"--config", "/nonexistent/glacier.json"}), "/nonexistent"));
  temp_file file("{ not json");
  EXPECT_TRUE(contains(error_of({"--config", file.path()}), file.path()));
  temp_file array("[1, 2]");
  EXPECT_FALSE(error_of({"--config", array.path()}).empty());
}

TEST(config, unknown_flag_missing_value_and_stray_argument_are_errors) {
  EXPECT_TRUE(contains(error_of({"--prot", "1"}), "--prot"));
  EXPECT_TRUE(contains(error_of({"--port"}), "--port"));
  EXPECT_TRUE(contains(error_of({"serve"}), "serve"));
}

TEST(config, help_and_version_are_reported_without_validation) {
  EXPECT_TRUE(glacier::load_launch_options({"--help"}, {}).show_help);
  EXPECT_TRUE(glacier::load_launch_options({"-h", "--port", "bad"}, {}).show_help);
  EXPECT_TRUE(glacier::load_launch_options({"--version"}, {}).show_version);
}

TEST(config, knob_table_derives_env_and_flag_names_from_the_key) {
  std::set<std::string> keys;
  for (const auto& knob : glacier::config_knobs()) {
    EXPECT_TRUE(keys.insert(knob.key).second) << knob.key << " listed twice";
    std::string env = "GLACIER_MOCK_";
    std::string flag = "--";
    for (char c : knob.key) {
      env += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      flag += c == '_' ? '-' : c;
    }
    EXPECT_EQ(knob.env, env);
    EXPECT_EQ(knob.flag, flag);
    EXPECT_FALSE(knob.help.empty()) << knob.key;
  }
  EXPECT_EQ(keys.size(), 44U);
}

TEST(config, expedited_allowance_is_unlimited_unless_a_number_is_given) {
  EXPECT_FALSE(load({}).expedited_on_demand_per_5min.has_value());
  EXPECT_EQ(load({"--expedited-on-demand-per-5min", "4"}).expedited_on_demand_per_5min, 4U);
  EXPECT_EQ(load({"--expedited-on-demand-per-5min=0"}).expedited_on_demand_per_5min, 0U);
  temp_file file(R"({"expedited_on_demand_per_5min": 7})");
  EXPECT_EQ(load({"--config", file.path()}).expedited_on_demand_per_5min, 7U);
  // A later source can lift an earlier limit again with the word "unlimited".
  EXPECT_FALSE(
      load({"--config", file.path()}, {{"GLACIER_MOCK_EXPEDITED_ON_DEMAND_PER_5MIN", "unlimited"}})
          .expedited_on_demand_per_5min.has_value());
  const auto message = error_of({"--expedited-on-demand-per-5min", "lots"});
  EXPECT_TRUE(contains(message, "expedited_on_demand_per_5min") && contains(message, "lots") &&
              contains(message, "unlimited"))
      << message;
}

TEST(config, free_tier_allowance_is_a_byte_count) {
  EXPECT_EQ(load({}).free_tier_bytes_per_day, (10ULL << 30) / 30);
  EXPECT_EQ(load({"--free-tier-bytes-per-day", "1024"}).free_tier_bytes_per_day, 1024U);
  EXPECT_TRUE(contains(error_of({"--free-tier-bytes-per-day", "1k"}), "free_tier_bytes_per_day"));
}

TEST(config, sns_endpoint_must_be_plain_http_host_and_port) {
  EXPECT_EQ(load({}).sns_endpoint, "");
  EXPECT_EQ(load({"--sns-endpoint", "http://127.0.0.1:4566"}).sns_endpoint,
            "http://127.0.0.1:4566");
  EXPECT_EQ(load({"--sns-endpoint", "http://localstack:4566/"}).sns_endpoint,
            "http://localstack:4566/");
  EXPECT_EQ(load({"--sns-endpoint", "http://[::1]:4566"}).sns_endpoint, "http://[::1]:4566");
  EXPECT_EQ(load({"--sns-endpoint", ""}).sns_endpoint, "");

  auto message = error_of({"--sns-endpoint", "https://sns.us-east-1.amazonaws.com"});
  EXPECT_TRUE(contains(message, "sns_endpoint") && contains(message, "https is not supported"))
      << message;
  for (const std::string bad :
       {"localhost:4566", "ftp://h:1", "http://h:0", "http://h:99999", "http://h:1/path",
        "http://h:1?x=1", "http://user@h:1", "http://"}) {
    message = error_of({"--sns-endpoint", bad});
    EXPECT_TRUE(contains(message, "sns_endpoint") && contains(message, bad))
        << bad << ": " << message;
  }
}

TEST(config, sns_delivery_knobs_parse_and_enforce_their_ranges) {
  const auto cfg =
      load({"--sns-access-key-id", "AKID", "--sns-secret-access-key", "s3cret",
            "--sns-max-attempts", "5", "--sns-retry-backoff-ms", "10", "--sns-timeout-ms", "750"});
  EXPECT_EQ(cfg.sns_access_key_id, "AKID");
  EXPECT_EQ(cfg.sns_secret_access_key, "s3cret");
  EXPECT_EQ(cfg.sns_max_attempts, 5U);
  EXPECT_EQ(cfg.sns_retry_backoff, glacier::duration(10));
  EXPECT_EQ(cfg.sns_timeout, glacier::duration(750));
  EXPECT_EQ(load({"--sns-retry-backoff-ms", "0"}).sns_retry_backoff, glacier::duration(0));

  EXPECT_TRUE(contains(error_of({"--sns-max-attempts", "0"}), "sns_max_attempts"));
  EXPECT_TRUE(contains(error_of({"--sns-max-attempts", "21"}), "sns_max_attempts"));
  EXPECT_TRUE(contains(error_of({"--sns-timeout-ms", "0"}), "sns_timeout_ms"));
  EXPECT_TRUE(contains(error_of({"--sns-access-key-id", ""}), "sns_access_key_id"));
}

TEST(config, s3_knobs_for_select_output_parse_and_enforce_their_ranges) {
  EXPECT_EQ(load({}).s3_endpoint, "");
  EXPECT_EQ(load({}).select_part_bytes, 16ULL << 20);
  const auto cfg =
      load({"--s3-endpoint", "http://127.0.0.1:9000", "--s3-access-key-id", "AK",
            "--s3-secret-access-key", "SK", "--s3-max-attempts", "4", "--s3-retry-backoff-ms", "5",
            "--s3-timeout-ms", "900", "--select-part-bytes", "4096"});
  EXPECT_EQ(cfg.s3_endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(cfg.s3_access_key_id, "AK");
  EXPECT_EQ(cfg.s3_secret_access_key, "SK");
  EXPECT_EQ(cfg.s3_max_attempts, 4U);
  EXPECT_EQ(cfg.s3_retry_backoff, glacier::duration(5));
  EXPECT_EQ(cfg.s3_timeout, glacier::duration(900));
  EXPECT_EQ(cfg.select_part_bytes, 4096U);
  EXPECT_EQ(load({}, {{"GLACIER_MOCK_S3_ENDPOINT", "http://minio:9000"}}).s3_endpoint,
            "http://minio:9000");

  EXPECT_TRUE(contains(error_of({"--s3-endpoint", "https://s3.amazonaws.com"}), "s3_endpoint"));
  EXPECT_TRUE(contains(error_of({"--s3-endpoint", "minio:9000"}), "s3_endpoint"));
  EXPECT_TRUE(contains(error_of({"--s3-max-attempts", "0"}), "s3_max_attempts"));
  EXPECT_TRUE(contains(error_of({"--s3-timeout-ms", "0"}), "s3_timeout_ms"));
  EXPECT_TRUE(contains(error_of({"--s3-secret-access-key", ""}), "s3_secret_access_key"));
  EXPECT_TRUE(contains(error_of({"--select-part-bytes", "0"}), "select_part_bytes"));
}

TEST(config, min_body_rate_parses_allows_zero_and_enforces_its_range) {
  EXPECT_EQ(load({}).min_body_bytes_per_second, 1024U);
  EXPECT_EQ(load({"--min-body-bytes-per-second", "0"}).min_body_bytes_per_second, 0U);
  EXPECT_EQ(
      load({}, {{"GLACIER_MOCK_MIN_BODY_BYTES_PER_SECOND", "65536"}}).min_body_bytes_per_second,
      65536U);
  EXPECT_TRUE(
      contains(error_of({"--min-body-bytes-per-second", "-1"}), "min_body_bytes_per_second"));
  EXPECT_TRUE(contains(error_of({"--min-body-bytes-per-second", "1099511627777"}),
                       "min_body_bytes_per_second"));
}

TEST(config, seed_is_random_unless_a_number_is_given) {
  EXPECT_FALSE(load({}).seed.has_value());
  EXPECT_EQ(load({"--seed", "42"}).seed, 42U);
  EXPECT_EQ(load({"--seed", "18446744073709551615"}).seed, 18446744073709551615ULL);
  EXPECT_FALSE(load({"--seed", "random"}).seed.has_value());
  EXPECT_TRUE(contains(error_of({"--seed", "-1"}), "seed"));
}

TEST(config, data_dir_is_taken_as_given) {
  EXPECT_EQ(load({}).data_dir, "");
  EXPECT_EQ(load({}, {{"GLACIER_MOCK_DATA_DIR", "/var/lib/glacier"}}).data_dir, "/var/lib/glacier");
}

TEST(config, data_dir_knobs_have_safe_defaults_and_every_source) {
  const auto defaults = load({});
  EXPECT_FALSE(defaults.recover);
  EXPECT_EQ(defaults.disk_reserve_bytes, 1U << 20);
  EXPECT_EQ(defaults.journal_compact_factor, 2U);
  EXPECT_TRUE(load({"--recover", "true"}).recover);
  EXPECT_TRUE(load({}, {{"GLACIER_MOCK_RECOVER", "true"}}).recover);
  temp_file file(R"({"recover": true, "disk_reserve_bytes": 0, "journal_compact_factor": 4})");
  const auto from_file = load({"--config", file.path()});
  EXPECT_TRUE(from_file.recover);
  EXPECT_EQ(from_file.disk_reserve_bytes, 0U);
  EXPECT_EQ(from_file.journal_compact_factor, 4U);
  EXPECT_EQ(load({"--journal-compact-factor", "0"}).journal_compact_factor, 0U);
  EXPECT_TRUE(contains(error_of({"--journal-compact-factor", "1001"}), "journal_compact_factor"));
  EXPECT_TRUE(contains(error_of({"--disk-reserve-bytes", "-1"}), "disk_reserve_bytes"));
}

TEST(config, admin_is_on_unless_switched_off) {
  EXPECT_TRUE(load({}).admin);
  EXPECT_FALSE(load({"--admin", "false"}).admin);
  EXPECT_FALSE(load({"--admin=false"}).admin);
  EXPECT_FALSE(load({}, {{"GLACIER_MOCK_ADMIN", "false"}}).admin);
  EXPECT_TRUE(load({"--admin", "true"}, {{"GLACIER_MOCK_ADMIN", "false"}}).admin);
  temp_file file(R"({"admin": false})");
  EXPECT_FALSE(load({"--config", file.path()}).admin);
  const auto message = error_of({"--admin", "no"});
  EXPECT_TRUE(contains(message, "admin") && contains(message, "true or false")) << message;
}

TEST(config, help_mentions_the_healthcheck_probe) {
  EXPECT_TRUE(contains(glacier::help_text(), "--healthcheck"));
}

TEST(config, every_knob_round_trips_its_default_through_the_environment) {
  for (const auto& knob : glacier::config_knobs()) {
    EXPECT_NO_THROW(load({}, {{knob.env, knob.default_value}})) << knob.env;
  }
}

TEST(config, help_text_lists_every_knob) {
  const auto help = glacier::help_text();
  for (const auto& knob : glacier::config_knobs()) {
    EXPECT_TRUE(contains(help, knob.flag)) << knob.flag;
    EXPECT_TRUE(contains(help, knob.env)) << knob.env;
    EXPECT_TRUE(contains(help, "default " + knob.default_value)) << knob.key;
  }
  EXPECT_TRUE(contains(help, "--config"));
  EXPECT_TRUE(contains(help, "--account"));
}

TEST(config, shipped_config_file_lists_every_knob_with_its_default) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "config" /
                    "glacier-mock.json";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const auto document = nlohmann::json::parse(in);
  ASSERT_EQ(document.size(), glacier::config_knobs().size());
  for (const auto& knob : glacier::config_knobs()) {
    ASSERT_TRUE(document.contains(knob.key)) << knob.key;
    const auto& value = document[knob.key];
    EXPECT_EQ(value.is_string() ? value.get<std::string>() : value.dump(), knob.default_value)
        << knob.key;
  }
  EXPECT_NO_THROW(load({"--config", path.string()}));
}

TEST(config, auth_mode_and_policy_enforcement) {
  const auto defaults = load({});
  EXPECT_EQ(defaults.auth, "accept");
  EXPECT_TRUE(defaults.enforce_policies);
  EXPECT_TRUE(defaults.credentials.empty());
  EXPECT_FALSE(load({"--enforce-policies", "false"}).enforce_policies);
  EXPECT_FALSE(load({}, {{"GLACIER_MOCK_ENFORCE_POLICIES", "false"}}).enforce_policies);
  temp_file file(R"({"enforce_policies": false})");
  EXPECT_FALSE(load({"--config", file.path()}).enforce_policies);
  EXPECT_TRUE(contains(error_of({"--enforce-policies", "no"}), "true or false"));
  EXPECT_TRUE(contains(error_of({"--auth", "sigv2"}), "accept|verify"));
  // Verifying without any secret to verify with would refuse every request.
  const auto message = error_of({"--auth", "verify"});
  EXPECT_TRUE(contains(message, "--credentials")) << message;
}

TEST(config, credentials_file_is_read_at_start) {
  temp_file file(R"({"credentials": [
      {"access_key_id": "AKIDALICE", "secret_access_key": "s1", "account_id": "111122223333",
       "user": "alice"},
      {"access_key_id": "AKIDROOT", "secret_access_key": "s2", "account_id": "444455556666",
       "session_token": "tok", "expiration": "2030-01-01T00:00:00Z"}]})");
  const auto cfg = load({"--credentials", file.path(), "--auth", "verify"});
  EXPECT_EQ(cfg.auth, "verify");
  EXPECT_EQ(cfg.credentials_file, file.path());
  ASSERT_EQ(cfg.credentials.size(), 2u);
  EXPECT_EQ(cfg.credentials[0].user, "alice");
  EXPECT_EQ(cfg.credentials[0].account_id, "111122223333");
  EXPECT_EQ(cfg.credentials[1].session_token, "tok");
  ASSERT_TRUE(cfg.credentials[1].expiration);
  EXPECT_EQ(glacier::format_iso8601(*cfg.credentials[1].expiration), "2030-01-01T00:00:00.000Z");
  EXPECT_EQ(load({}, {{"GLACIER_MOCK_CREDENTIALS", file.path()}}).credentials.size(), 2u);
}

TEST(config, a_bad_credentials_file_stops_the_start_naming_the_entry) {
  const auto error_for = [](const std::string& text) {
    temp_file file(text);
    return error_of({"--credentials", file.path()});
  };
  EXPECT_TRUE(contains(error_of({"--credentials", "/nonexistent/creds.json"}), "credentials"));
  EXPECT_TRUE(contains(error_for("[]"), "{\"credentials\": [ ... ]}"));
  EXPECT_TRUE(contains(error_for(R"({"credentials": [{"access_key_id": "A"}]})"),
                       "credentials[0] has no \"secret_access_key\""));
  EXPECT_TRUE(contains(error_for(R"({"credentials": [{"access_key_id": "A",
      "secret_access_key": "s", "account_id": "12"}]})"),
                       "account_id must be 12 digits"));
  EXPECT_TRUE(contains(error_for(R"({"credentials": [{"access_key_id": "A",
      "secret_access_key": "s", "account_id": "123456789012", "usr": "x"}]})"),
                       "unknown member \"usr\""));
  const std::string twice = R"({"access_key_id": "A", "secret_access_key": "s",
      "account_id": "123456789012"})";
  EXPECT_TRUE(
      contains(error_for("{\"credentials\": [" + twice + "," + twice + "]}"), "declared twice"));
  EXPECT_TRUE(contains(error_for(R"({"credentials": [{"access_key_id": "A",
      "secret_access_key": "s", "account_id": "123456789012", "expiration": "2030-01-01"}]})"),
                       "session_token"));
}

}  // namespace

namespace {

TEST(config, shipped_credentials_example_declares_two_accounts) {
  const auto path = std::filesystem::path(__FILE__).parent_path() / ".." / ".." / ".." / "config" /
                    "credentials.example.json";
  const auto cfg = load({"--credentials", path.string(), "--auth", "verify"});
  ASSERT_EQ(cfg.credentials.size(), 3u);
  std::set<std::string> users_of_first;
  for (const auto& c : cfg.credentials) {
    if (c.account_id == cfg.credentials[0].account_id) users_of_first.insert(c.user);
  }
  EXPECT_EQ(users_of_first.size(), 2u);
  EXPECT_NE(cfg.credentials[2].account_id, cfg.credentials[0].account_id);
}

}  // namespace
