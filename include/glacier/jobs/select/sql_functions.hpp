#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

struct sqlite3;

namespace glacier::select {

/// Registers the s3_* functions the translated SQL calls (s3_num, s3_ts, s3_bool, s3_cast,
/// s3_div, s3_mod, s3_substring, s3_to_string, s3_to_timestamp, s3_extract, s3_date_add,
/// s3_date_diff) on `db`. Their errors carry an S3 Select code: see error_of().
void register_functions(sqlite3* db);

/// Splits an error message the s3_* functions raised into S3 Select's code and message;
/// any other SQLite error becomes ("InternalError", message).
std::pair<std::string, std::string> error_of(std::string_view sqlite_message);

/// A CSV value read as a number: an integer when it is one (optional sign and digits,
/// surrounding spaces allowed), else a finite decimal or float, else nothing.
std::optional<std::variant<long long, double>> parse_number(std::string_view text);

/// A float as results show it: the shortest text that reads back as the same value.
std::string number_text(double value);

}  // namespace glacier::select
