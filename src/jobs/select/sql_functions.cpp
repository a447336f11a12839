// The functions SQLite does not have, or has with other rules than the Select dialect:
// CAST that fails instead of yielding 0, division by zero as an error, 1-based character
// SUBSTRING, and the timestamp functions. An error is reported as "<code>\x1f<message>" so
// that the engine can give the job S3 Select's code.
#include "glacier/jobs/select/sql_functions.hpp"

#include <sqlite3.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "glacier/jobs/select/sql_translation.hpp"
#include "glacier/jobs/select/timestamp.hpp"

namespace glacier::select {

namespace {

constexpr char separator = '\x1f';

void fail(sqlite3_context* ctx, std::string_view code, const std::string& message) {
  const auto text = std::string(code) + separator + message;
  sqlite3_result_error(ctx, text.c_str(), static_cast<int>(text.size()));
}

std::string_view text_of(sqlite3_value* v) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(v)))
           : std::string_view();
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

void result_number(sqlite3_context* ctx, const std::variant<long long, double>& n) {
  if (std::holds_alternative<long long>(n)) {
    sqlite3_result_int64(ctx, std::get<long long>(n));
  } else {
    sqlite3_result_double(ctx, std::get<double>(n));
  }
}

// s3_num(x): a CSV value compared with (or added to) a number; NULL when it is not one.
void s3_num(sqlite3_context* ctx, int, sqlite3_value** argv) {
  switch (sqlite3_value_type(argv[0])) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
      sqlite3_result_value(ctx, argv[0]);
      return;
    case SQLITE_TEXT:
      if (const auto n = parse_number(text_of(argv[0]))) {
        result_number(ctx, *n);
        return;
      }
      break;
    default:
      break;
  }
  sqlite3_result_null(ctx);
}

void s3_ts(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
    if (const auto t = parse_timestamp(trim_spaces(text_of(argv[0])))) {
      sqlite3_result_int64(ctx, *t);
      return;
    }
  }
  sqlite3_result_null(ctx);
}

std::optional<bool> parse_bool(std::string_view text) {
  text = trim_spaces(text);
  auto is = [&](std::string_view word) {
    if (text.size() != word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
      if ((text[i] | 0x20) != word[i]) return false;
    }
    return true;
  };
  if (is("true")) return true;
  if (is("false")) return false;
  return std::nullopt;
}

void s3_bool(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
    if (const auto b = parse_bool(text_of(argv[0]))) {
      sqlite3_result_int(ctx, *b ? 1 : 0);
      return;
    }
  }
  sqlite3_result_null(ctx);
}

// The value as text, read with its static type (booleans and timestamps are integers).
std::string as_text(sqlite3_value* v, value_type from) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER: {
      const auto i = sqlite3_value_int64(v);
      if (from == value_type::boolean) return i ? "true" : "false";
      if (from == value_type::datetime) return format_timestamp(i);
      return std::to_string(i);
    }
    case SQLITE_FLOAT:
      return number_text(sqlite3_value_double(v));
    default:
      return std::string(text_of(v));
  }
}

void cast_failed(sqlite3_context* ctx, sqlite3_value* v, value_type from, const char* to) {
  fail(ctx, "CastFailed",
       "Attempt to convert from one data type to another using CAST failed in the SQL "
       "expression: cannot CAST '" +
           as_text(v, from).substr(0, 200) + "' AS " + to);
}

// s3_cast(value, from, to): CAST with the value's static type `from` (value_type codes).
void s3_cast(sqlite3_context* ctx, int, sqlite3_value** argv) {
  sqlite3_value* v = argv[0];
  const auto from = static_cast<value_type>(sqlite3_value_int(argv[1]));
  const auto to = static_cast<value_type>(sqlite3_value_int(argv[2]));
  const int kind = sqlite3_value_type(v);
  if (kind == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const bool is_text = kind == SQLITE_TEXT;
  const bool is_time = from == value_type::datetime;
  switch (to) {
    case value_type::string: {
      const auto text = as_text(v, from);
      sqlite3_result_text(ctx, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
      return;
    }
    case value_type::integer: {
      if (is_time) return cast_failed(ctx, v, from, "INT");
      if (kind == SQLITE_INTEGER) return sqlite3_result_int64(ctx, sqlite3_value_int64(v));
      double d = sqlite3_value_double(v);
      if (is_text) {
        const auto n = parse_number(text_of(v));
        if (!n) return cast_failed(ctx, v, from, "INT");
        if (std::holds_alternative<long long>(*n)) {
          return sqlite3_result_int64(ctx, std::get<long long>(*n));
        }
        d = std::get<double>(*n);
      }
      // A fraction is truncated toward zero; a value past the 64-bit range cannot be one.
      if (!(d > -9.3e18 && d < 9.3e18) || std::trunc(d) < -9223372036854775807.0 - 1 ||
          std::trunc(d) >= 9223372036854775807.0) {
        return cast_failed(ctx, v, from, "INT");
      }
      return sqlite3_result_int64(ctx, static_cast<sqlite3_int64>(std::trunc(d)));
    }
    case value_type::number: {
      if (is_time) return cast_failed(ctx, v, from, "FLOAT");
      if (is_text) {
        const auto n = parse_number(text_of(v));
        if (!n) return cast_failed(ctx, v, from, "FLOAT");
        return sqlite3_result_double(ctx, std::holds_alternative<long long>(*n)
                                              ? static_cast<double>(std::get<long long>(*n))
                                              : std::get<double>(*n));
      }
      return sqlite3_result_double(ctx, sqlite3_value_double(v));
    }
    case value_type::boolean: {
      if (is_time) return cast_failed(ctx, v, from, "BOOL");
      if (is_text) {
        const auto b = parse_bool(text_of(v));
        if (!b) return cast_failed(ctx, v, from, "BOOL");
        return sqlite3_result_int(ctx, *b ? 1 : 0);
      }
      return sqlite3_result_int(ctx, sqlite3_value_double(v) != 0.0 ? 1 : 0);
    }
    case value_type::datetime: {
      if (is_time) return sqlite3_result_int64(ctx, sqlite3_value_int64(v));
      if (!is_text) return cast_failed(ctx, v, from, "TIMESTAMP");
      const auto t = parse_timestamp(trim_spaces(text_of(v)));
      if (!t) return cast_failed(ctx, v, from, "TIMESTAMP");
      return sqlite3_result_int64(ctx, *t);
    }
    default:
      sqlite3_result_value(ctx, v);
  }
}

// s3_div(a, b) and s3_mod(a, b): integer division truncates; a zero divisor is an error.
void divide(sqlite3_context* ctx, sqlite3_value** argv, bool modulo) {
  sqlite3_value* a = argv[0];
  sqlite3_value* b = argv[1];
  if (sqlite3_value_type(a) == SQLITE_NULL || sqlite3_value_type(b) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const bool integers =
      sqlite3_value_type(a) == SQLITE_INTEGER && sqlite3_value_type(b) == SQLITE_INTEGER;
  if (integers) {
    const auto x = sqlite3_value_int64(a);
    const auto y = sqlite3_value_int64(b);
    if (y == 0) return fail(ctx, "DivisionByZero", "Division by zero is not allowed");
    if (x == std::numeric_limits<sqlite3_int64>::min() && y == -1) {
      if (modulo) return sqlite3_result_int64(ctx, 0);
      return fail(ctx, "IntegerOverflow", "An integer overflow occurred in a division");
    }
    return sqlite3_result_int64(ctx, modulo ? x % y : x / y);
  }
  const double x = sqlite3_value_double(a);
  const double y = sqlite3_value_double(b);
  if (y == 0.0) return fail(ctx, "DivisionByZero", "Division by zero is not allowed");
  sqlite3_result_double(ctx, modulo ? std::fmod(x, y) : x / y);
}

void s3_div(sqlite3_context* ctx, int, sqlite3_value** argv) {
  divide(ctx, argv, false);
}

void s3_mod(sqlite3_context* ctx, int, sqlite3_value** argv) {
  divide(ctx, argv, true);
}

// Byte offset of the `n`th character (0-based) of UTF-8 `text`, or its size.
std::size_t char_offset(std::string_view text, std::int64_t n) {
  std::size_t i = 0;
  while (i < text.size() && n > 0) {
    ++i;
    while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xc0) == 0x80) ++i;
    --n;
  }
  return i;
}

// s3_substring(s, start[, length]): 1-based characters; a start below 1 counts as 1.
void s3_substring(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  for (int i = 0; i < argc; ++i) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  }
  const auto text = text_of(argv[0]);
  const auto start = std::max<std::int64_t>(1, sqlite3_value_int64(argv[1]));
  const auto first = char_offset(text, start - 1);
  auto rest = text.substr(first);
  if (argc == 3) {
    const auto length = std::max<std::int64_t>(0, sqlite3_value_int64(argv[2]));
    rest = rest.substr(0, char_offset(rest, length));
  }
  sqlite3_result_text(ctx, rest.data(), static_cast<int>(rest.size()), SQLITE_TRANSIENT);
}

void s3_to_string(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    return sqlite3_result_null(ctx);
  }
  const auto pattern = text_of(argv[1]);
  const auto text = format_pattern(sqlite3_value_int64(argv[0]), pattern);
  if (!text) {
    return fail(ctx, "EvaluatorInvalidTimestampFormatPattern",
                "The timestamp format pattern '" + std::string(pattern) + "' is not valid");
  }
  sqlite3_result_text(ctx, text->data(), static_cast<int>(text->size()), SQLITE_TRANSIENT);
}

void s3_to_timestamp(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  const auto text = text_of(argv[0]);
  const auto t = parse_timestamp(trim_spaces(text));
  if (!t) {
    return fail(ctx, "ValueParseFailure",
                "A timestamp parse failure occurred: '" + std::string(text.substr(0, 200)) +
                    "' is not a timestamp");
  }
  sqlite3_result_int64(ctx, *t);
}

void s3_extract(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  sqlite3_result_int64(ctx, extract(text_of(argv[0]), sqlite3_value_int64(argv[1])));
}

void s3_date_add(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[2]) == SQLITE_NULL) {
    return sqlite3_result_null(ctx);
  }
  const auto t =
      date_add(text_of(argv[0]), sqlite3_value_int64(argv[1]), sqlite3_value_int64(argv[2]));
  if (!t) return fail(ctx, "IntegerOverflow", "DATE_ADD goes past the year 9999 or before 0000");
  sqlite3_result_int64(ctx, *t);
}

void s3_date_diff(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[1]) == SQLITE_NULL || sqlite3_value_type(argv[2]) == SQLITE_NULL) {
    return sqlite3_result_null(ctx);
  }
  sqlite3_result_int64(
      ctx, date_diff(text_of(argv[0]), sqlite3_value_int64(argv[1]), sqlite3_value_int64(argv[2])));
}

}  // namespace

std::optional<std::variant<long long, double>> parse_number(std::string_view text) {
  text = trim_spaces(text);
  if (text.empty()) return std::nullopt;
  std::string_view digits = text;
  if (digits.front() == '+') digits.remove_prefix(1);
  long long integer = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), integer);
  if (r.ec == std::errc{} && r.ptr == digits.data() + digits.size() && !digits.empty() &&
      digits.front() != '+') {
    return integer;
  }
  // Only plain decimal notation: strtod would also take hex, "inf" and "nan".
  for (const char c : text) {
    const bool ok =
        (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    if (!ok) return std::nullopt;
  }
  double value = 0;
  const auto d = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (d.ec != std::errc{} || d.ptr != digits.data() + digits.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string number_text(double value) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  return std::string(buffer, end);
}

std::pair<std::string, std::string> error_of(std::string_view sqlite_message) {
  const auto split = sqlite_message.find(separator);
  if (split == std::string_view::npos) {
    return {"InternalError", "SQLite: " + std::string(sqlite_message)};
  }
  return {std::string(sqlite_message.substr(0, split)),
          std::string(sqlite_message.substr(split + 1))};
}

void register_functions(sqlite3* db) {
  struct function {
    const char* name;
    int args;
    void (*call)(sqlite3_context*, int, sqlite3_value**);
  };
  static constexpr function functions[] = {
      {"s3_num", 1, s3_num},
      {"s3_ts", 1, s3_ts},
      {"s3_bool", 1, s3_bool},
      {"s3_cast", 3, s3_cast},
      {"s3_div", 2, s3_div},
      {"s3_mod", 2, s3_mod},
      {"s3_substring", 2, s3_substring},
      {"s3_substring", 3, s3_substring},
      {"s3_to_string", 2, s3_to_string},
      {"s3_to_timestamp", 1, s3_to_timestamp},
      {"s3_extract", 2, s3_extract},
      {"s3_date_add", 3, s3_date_add},
      {"s3_date_diff", 3, s3_date_diff},
  };
  for (const auto& f : functions) {
    sqlite3_create_function_v2(db, f.name, f.args, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                               f.call, nullptr, nullptr, nullptr);
  }
}

}  // namespace glacier::select
