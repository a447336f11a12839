#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "glacier/jobs/select/query.hpp"
#include "glacier/jobs/select/timestamp.hpp"

namespace glacier::select {

/// The static type of an expression as the translation sees it. `field` is a CSV value: a
/// string that a comparison or arithmetic with a number reads as that number.
enum class value_type : int {
  null = 0,
  string = 1,
  integer = 2,
  number = 3,  ///< float or decimal
  boolean = 4,
  datetime = 5,  ///< a timestamp
  field = 6,
  any = 7,  ///< not known until it is evaluated (COALESCE of mixed types)
};

/// A query as one SQLite statement over bound parameters, without a FROM clause: SQLite
/// evaluates it once per record, so nothing of the archive is ever loaded into a table.
struct compiled_query {
  std::string sql;  ///< empty for SELECT * without WHERE: every record is a result
  /// Parameter i+1 of `sql` is the record's field parameters[i] (0-based); a field the
  /// record does not have is bound as NULL (MISSING).
  std::vector<std::size_t> parameters;
  std::vector<value_type> outputs;  ///< one per SELECT-list expression; empty for SELECT *
  bool select_all = false;
};

/// Translates `q` for an archive whose header row is `header` (empty unless FileHeaderInfo
/// is USE). Column names resolve against it: a quoted name exactly (MissingHeaderName when
/// none matches), an unquoted one ignoring case (AmbiguousFieldName when several do, MISSING
/// when none). Type errors (a string where a number is needed, ...) are InvalidDataType;
/// UTCNOW() is `now`. Throws select_error.
compiled_query translate(const query& q, const std::vector<std::string>& header, timestamp now);

}  // namespace glacier::select
