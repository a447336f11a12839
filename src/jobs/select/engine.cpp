// SQLite evaluates the translated query once per record, with the record's fields bound as
// parameters of a FROM-less SELECT. Measured against loading the records into a table and
// querying it (bench/README.md, "Glacier Select"): no table means no second copy of the
// archive, no index or page cache, and memory that follows the result only.
#include "glacier/jobs/select/engine.hpp"

#include <sqlite3.h>

#include <charconv>
#include <memory>

#include "glacier/jobs/select/csv_reader.hpp"
#include "glacier/jobs/select/sql_functions.hpp"
#include "glacier/jobs/select/sql_translation.hpp"

namespace glacier::select {

namespace {

struct database_closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct statement_finalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// The most a bound value or an intermediate string may hold: a record is at most 1 MB.
constexpr int max_value_bytes = 2 << 20;

std::unique_ptr<sqlite3, database_closer> open_database(const std::atomic<bool>* stop) {
  sqlite3* raw = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MEMORY | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(":memory:", &raw, flags, nullptr);
  std::unique_ptr<sqlite3, database_closer> db(raw);
  if (rc != SQLITE_OK) {
    throw select_error("InternalError", std::string("SQLite cannot open: ") + sqlite3_errstr(rc));
  }
  sqlite3_limit(raw, SQLITE_LIMIT_LENGTH, max_value_bytes);
  // S3 Select's LIKE is case sensitive; SQLite's is not unless asked.
  sqlite3_exec(raw, "PRAGMA case_sensitive_like = ON", nullptr, nullptr, nullptr);
  register_functions(raw);
  if (stop) {
    // Every ~100k virtual machine steps: a stop interrupts even one long evaluation.
    sqlite3_progress_handler(
        raw, 100'000,
        [](void* flag) -> int {
          return static_cast<const std::atomic<bool>*>(flag)->load(std::memory_order_relaxed);
        },
        const_cast<std::atomic<bool>*>(stop));
  }
  return db;
}

[[noreturn]] void sqlite_failure(sqlite3* db, std::uint64_t record) {
  const int code = sqlite3_errcode(db);
  if (code == SQLITE_INTERRUPT) throw select_error("Interrupted", "The query was interrupted");
  if (code == SQLITE_TOOBIG) {
    throw select_error("OverMaxRecordSize",
                       "A value grew past 1 MB in record " + std::to_string(record));
  }
  auto [name, message] = error_of(sqlite3_errmsg(db));
  // SQLite's own LIKE errors (messages without an s3_* function's code): an ESCAPE that is
  // not one character (one taken from the record; a literal one is refused at initiation),
  // a pattern over 50,000 bytes.
  if (name == "InternalError" &&
      (message.find("ESCAPE") != std::string::npos || message.find("LIKE") != std::string::npos)) {
    name = "LikeInvalidInputs";
  }
  throw select_error(name, message + " (record " + std::to_string(record) + ")");
}

// Text of one result column, read with the expression's static type.
std::string_view column_text(sqlite3_stmt* stmt, int i, value_type type, std::string& scratch) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_NULL:
      return {};
    case SQLITE_INTEGER: {
      const auto value = sqlite3_column_int64(stmt, i);
      if (type == value_type::boolean) return value ? "true" : "false";
      if (type == value_type::datetime) {
        scratch = format_timestamp(value);
        return scratch;
      }
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
      scratch.assign(digits, end);
      return scratch;
    }
    case SQLITE_FLOAT:
      scratch = number_text(sqlite3_column_double(stmt, i));
      return scratch;
    default: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))};
    }
  }
}

}  // namespace

query_result run_query(std::string_view archive, const select_request& request, timestamp now,
                       std::size_t part_bytes, const std::atomic<bool>* stop) {
  const auto q = parse_and_check(request.expression, request.input.header);
  csv_reader reader(archive, request.input);
  std::vector<std::string_view> fields;
  std::vector<std::string> header;
  if (request.input.header != csv_header_mode::none && reader.next(fields)) {
    if (request.input.header == csv_header_mode::use) header.assign(fields.begin(), fields.end());
  }
  const auto compiled = translate(q, header, now);

  auto db = open_database(stop);
  std::unique_ptr<sqlite3_stmt, statement_finalizer> stmt;
  if (!compiled.sql.empty()) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v3(db.get(), compiled.sql.c_str(), static_cast<int>(compiled.sql.size()),
                           SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
      // The parser's limits keep these rare: an expression SQLite finds too deep to parse.
      const std::string why = sqlite3_errmsg(db.get());
      if (why.find("stack overflow") != std::string::npos ||
          why.find("too large") != std::string::npos) {
        throw select_error(
            "MaxOperatorsExceeded",
            "Failed to parse the SQL expression; reduce its complexity (" + why + ")");
      }
      throw select_error("UnsupportedSqlStructure",
                         std::string("The query cannot be evaluated: ") + sqlite3_errmsg(db.get()));
    }
    stmt.reset(raw);
  }

  const csv_writer writer(request.output);
  query_result result;
  result.parts.emplace_back();
  std::vector<std::string> scratch(compiled.outputs.size());
  std::vector<std::string_view> row(compiled.outputs.size());
  while (reader.next(fields)) {
    ++result.records_read;
    if ((result.records_read & 0x3ff) == 0 && stop && stop->load(std::memory_order_relaxed)) {
      throw select_error("Interrupted", "The query was interrupted");
    }
    bool matched = true;
    if (stmt) {
      sqlite3_reset(stmt.get());
      for (std::size_t k = 0; k < compiled.parameters.size(); ++k) {
        const auto index = compiled.parameters[k];
        const int slot = static_cast<int>(k + 1);
        if (index < fields.size()) {
          // The field stays valid until the next record, so SQLite may use it in place.
          sqlite3_bind_text(stmt.get(), slot, fields[index].data(),
                            static_cast<int>(fields[index].size()), SQLITE_STATIC);
        } else {
          sqlite3_bind_null(stmt.get(), slot);
        }
      }
      const int rc = sqlite3_step(stmt.get());
      if (rc == SQLITE_DONE) {
        matched = false;
      } else if (rc != SQLITE_ROW) {
        sqlite_failure(db.get(), reader.record_number());
      }
    }
    if (!matched) continue;
    auto& out = result.parts.back();
    const auto before = out.size();
    if (compiled.select_all) {
      writer.write(out, fields);
    } else {
      for (std::size_t i = 0; i < row.size(); ++i) {
        row[i] = column_text(stmt.get(), static_cast<int>(i), compiled.outputs[i], scratch[i]);
      }
      writer.write(out, row);
    }
    if (out.size() - before > max_record_bytes) {
      throw select_error("OverMaxRecordSize", "A result record is longer than 1 MB (record " +
                                                  std::to_string(reader.record_number()) + ")");
    }
    ++result.records_returned;
    if (out.size() >= part_bytes) result.parts.emplace_back();
  }
  if (result.parts.size() > 1 && result.parts.back().empty()) result.parts.pop_back();
  return result;
}

}  // namespace glacier::select
