#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "glacier/store/model/select_request.hpp"

namespace glacier::select {

/// An error of the S3 Select dialect: S3 Select's error code (ParseUnexpectedToken,
/// CastFailed, CSVParsingError, ...) and a message saying what and where.
class select_error : public std::runtime_error {
 public:
  select_error(std::string code, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)) {}
  /// The S3 Select error code.
  const std::string& code() const noexcept { return code_; }

 private:
  std::string code_;
};

/// What a node of a parsed expression is.
enum class node_kind {
  string_literal,     ///< text: the value
  integer_literal,    ///< text: the digits
  number_literal,     ///< text: a literal with a point or exponent (a decimal in S3 Select)
  bool_literal,       ///< text: "true" or "false"
  null_literal,       ///< NULL
  missing_literal,    ///< MISSING
  timestamp_literal,  ///< text: what was between the backticks
  column,             ///< position (1-based) for _N, else text: the name (quoted or not)
  negate,             ///< unary minus of args[0]
  binary,             ///< text: + - * / % = <> < > <= >= AND OR
  logical_not,        ///< NOT args[0]
  is_null,            ///< args[0] IS [NOT] NULL, or IS [NOT] MISSING when `missing`
  between,            ///< args[0] [NOT] BETWEEN args[1] AND args[2]
  in_list,            ///< args[0] [NOT] IN (args[1], ...)
  like,               ///< args[0] [NOT] LIKE args[1] [ESCAPE args[2]]
  cast,               ///< CAST(args[0] AS text), text a canonical type name
  function,           ///< text: the lower-case name; `part`: its date part or TRIM mode
};

/// One node of an expression tree.
struct node {
  node_kind kind = node_kind::null_literal;
  std::string text;
  std::string part;
  std::size_t position = 0;
  bool quoted = false;   ///< a column name written in double quotes (matched exactly)
  bool negated = false;  ///< NOT BETWEEN / NOT IN / NOT LIKE / IS NOT
  bool missing = false;  ///< IS [NOT] MISSING rather than NULL
  std::optional<std::string> qualifier;  ///< the `s` of s._1 or s.name
  std::size_t offset = 0;                ///< 1-based character position in the expression
  std::size_t depth = 1;                 ///< levels of the subtree this node heads
  std::vector<std::unique_ptr<node>> args;
};

/// One expression of the SELECT list.
struct projection {
  std::unique_ptr<node> value;
  std::optional<std::string> alias;
};

/// A parsed Glacier Select statement: SELECT list, FROM ARCHIVE|OBJECT [alias], WHERE.
struct query {
  bool select_all = false;  ///< SELECT *
  std::vector<projection> projections;
  std::string table;  ///< as written
  std::optional<std::string> alias;
  std::unique_ptr<node> where;  ///< null without a WHERE clause
};

/// Parses `expression` in the subset Glacier Select documents: keywords in any case, the
/// operators, functions and types of its SQL reference. Whatever it refuses (LIMIT,
/// aggregates, GROUP BY, joins, subqueries, ...) throws select_error with S3 Select's code.
query parse_query(std::string_view expression);

/// The checks Glacier can make from the request alone: FROM names ARCHIVE or OBJECT,
/// qualifiers name the table's alias, column names need FileHeaderInfo USE and are not
/// mixed with positions, positions are 1 to 1048576. Throws select_error.
void check_query(const query& q, csv_header_mode header);

/// parse_query then check_query; what InitiateJob runs on SelectParameters.Expression.
query parse_and_check(std::string_view expression, csv_header_mode header);

/// The most columns a record may have (the developer guide's limit).
inline constexpr std::size_t max_columns = 1'048'576;

/// The deepest expression tree accepted (MaxOperatorsExceeded beyond): 448 ORs of
/// comparisons pass. Well under SQLite's limit of 1000 for the translation, which can add a level
/// per node.
inline constexpr std::size_t max_tree_depth = 450;

/// The most levels of parentheses, function calls, NOT and unary minus accepted inside one
/// another (MaxOperatorsExceeded beyond): SQLite's parser takes about 30 nested calls.
inline constexpr int max_nesting = 25;

}  // namespace glacier::select
