#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "glacier/core/clock.hpp"
#include "glacier/core/credentials_file.hpp"

namespace glacier {

/// Every knob of glacier-mock. Defaults here are the built-in defaults; README lists them all.
struct config {
  std::string host = "127.0.0.1";                ///< listen address
  std::uint16_t port = 8080;                     ///< listen port; 0 picks a free one
  unsigned io_threads = 0;                       ///< 0 = one per usable CPU (affinity, quota)
  std::string default_account = "123456789012";  ///< account that "-" stands for
  std::string default_region = "us-east-1";      ///< region when the request names none
  duration expedited_delay{1000};                ///< time an Expedited job takes
  duration standard_delay{3000};                 ///< time a Standard job takes
  duration bulk_delay{5000};                     ///< time a Bulk job takes
  duration job_retention{24LL * 3600 * 1000};    ///< completed jobs are purged after this
  std::uint32_t max_header_bytes = 16 * 1024;    ///< request line + headers
  std::uint64_t max_body_bytes = 4ULL << 30;     ///< any request body (413 above)
  std::uint64_t max_upload_bytes = 4ULL << 30;   ///< one UploadArchive body
  std::uint64_t max_total_archive_bytes = 16ULL << 30;  ///< all archive bytes held
  duration read_timeout{30'000};                        ///< a request must arrive within this
  std::uint64_t min_body_bytes_per_second = 1024;       ///< a body this fast may outlast it
  duration write_timeout{30'000};                       ///< a response must be taken within this
  duration idle_timeout{60'000};                        ///< keep-alive connection idle limit
  duration shutdown_deadline{10'000};                   ///< in-flight requests get this on SIGTERM
  std::optional<std::uint64_t> expedited_on_demand_per_5min;   ///< unset = unlimited
  std::uint64_t free_tier_bytes_per_day = (10ULL << 30) / 30;  ///< FreeTier daily allowance
  std::string sns_endpoint;                    ///< empty: notifications are only recorded
  std::string sns_access_key_id = "test";      ///< signs SNS Publish requests
  std::string sns_secret_access_key = "test";  ///< signs SNS Publish requests
  unsigned sns_max_attempts = 3;               ///< delivery attempts per notification
  duration sns_retry_backoff{200};             ///< first retry delay, doubled each time
  duration sns_timeout{2000};                  ///< one Publish request's time limit
  std::string s3_endpoint;                     ///< empty: select output only kept in memory
  std::string s3_access_key_id = "test";       ///< signs S3 PutObject requests
  std::string s3_secret_access_key = "test";   ///< signs S3 PutObject requests
  unsigned s3_max_attempts = 3;                ///< PutObject attempts per select output object
  duration s3_retry_backoff{200};              ///< first retry delay, doubled each time
  duration s3_timeout{30'000};                 ///< one PutObject request's time limit
  std::uint64_t select_part_bytes = 16 << 20;  ///< a select result part closes past this
  std::optional<std::uint64_t> seed;           ///< makes every generated id reproducible
  std::string data_dir;                        ///< empty: nothing touches the disk
  bool recover = false;  ///< start over a damaged journal, keeping every intact record
  /// --data-dir: changes that would leave less free on its disk are refused (deletes may
  /// use it, so a full disk can be emptied through the API).
  std::uint64_t disk_reserve_bytes = 1ULL << 20;
  /// The journal is compacted while running once it is this many times its size after
  /// the last compaction; 0: only at start.
  std::uint64_t journal_compact_factor = 2;
  bool admin = true;                          ///< false: no /_mock/ API and no console
  std::string log_level = "info";             ///< trace|debug|info|warn|error|off
  std::string log_format = "text";            ///< text|json
  std::string auth = "accept";                ///< accept|verify: whether signatures are checked
  std::string credentials_file;               ///< the --credentials file; empty: none
  std::vector<credential_entry> credentials;  ///< what credentials_file declares
  bool enforce_policies = true;               ///< apply vault access and lock policies
};

/// Thrown when a configuration value is invalid; the message names the key.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One documented knob: its config-file key, environment variable, flag and default.
struct config_knob {
  std::string key;
  std::string env;
  std::string flag;
  std::string default_value;
  std::string help;
};

/// Every knob, in the order README and --help list them.
const std::vector<config_knob>& config_knobs();

/// What the command line asked for besides the configuration itself.
struct launch_options {
  glacier::config config;
  bool show_help = false;
  bool show_version = false;
};

/// Builds the effective configuration: defaults < config file (--config or
/// config/glacier-mock.json when present) < GLACIER_MOCK_* environment < flags.
/// Throws config_error naming the key on a bad value or an unreadable file.
launch_options load_launch_options(const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& environment);

/// The --help text, listing every flag with its environment variable and default.
std::string help_text();

}  // namespace glacier
