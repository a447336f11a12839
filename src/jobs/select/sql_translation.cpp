// From the Select dialect's tree to SQLite SQL. SQLite evaluates; this file keeps the
// dialect's rules SQLite does not have: CSV values are strings until CAST (or compared with
// a number), CAST fails instead of yielding 0, division by zero is an error, LIKE is case
// sensitive (the engine sets PRAGMA case_sensitive_like), timestamps are their own type.
// The s3_* functions are sql_functions.cpp's.
#include "glacier/jobs/select/sql_translation.hpp"

#include "glacier/jobs/select/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

namespace glacier::select {

namespace {

const char* type_text(value_type t) {
  switch (t) {
    case value_type::null:
      return "null";
    case value_type::string:
      return "string";
    case value_type::integer:
      return "int";
    case value_type::number:
      return "float";
    case value_type::boolean:
      return "bool";
    case value_type::datetime:
      return "timestamp";
    case value_type::field:
      return "string (a CSV value)";
    case value_type::any:
      return "any";
  }
  return "";
}

bool numeric(value_type t) {
  return t == value_type::integer || t == value_type::number;
}

std::string at(const node& n) {
  return " at character " + std::to_string(n.offset);
}

std::string quote_literal(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
  return out;
}

std::string double_literal(double value, const node& n) {
  if (!std::isfinite(value)) {
    throw select_error("LexerInvalidLiteral", "The number " + n.text + " is out of range" + at(n));
  }
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
  std::string out(buffer, end);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

struct emitted {
  std::string sql;
  value_type type;
  /// For "(a OR b)", "(a AND b)", "(a + b)" (also -) and "(a * b)": which chain it heads, so
  /// that a longer chain extends it inside the same parentheses. SQLite's parser overflows
  /// past about 100 nested parentheses; a chain of 400 ORs stays one level deep this way.
  int chain = 0;
};

// The chain an operator continues (left-associative operators of one precedence level).
int chain_of(const std::string& op) {
  if (op == "OR") return 1;
  if (op == "AND") return 2;
  if (op == "+" || op == "-") return 3;
  if (op == "*") return 4;
  return 0;
}

// "(left op right)", or, when `left` heads the same chain, the chain one operand longer.
std::string chained(const emitted& left, int chain, const std::string& op,
                    const std::string& right) {
  const auto inner = chain != 0 && left.chain == chain
                         ? std::string_view(left.sql).substr(1, left.sql.size() - 2)
                         : std::string_view(left.sql);
  return "(" + std::string(inner) + " " + op + " " + right + ")";
}

class translator {
 public:
  translator(const std::vector<std::string>& header, timestamp now) : header_(header), now_(now) {}

  compiled_query run(const query& q) {
    compiled_query out;
    out.select_all = q.select_all;
    std::string list;
    for (const auto& p : q.projections) {
      auto e = emit(*p.value);
      list += (list.empty() ? "" : ", ") + e.sql;
      out.outputs.push_back(e.type);
    }
    std::string condition;
    if (q.where) condition = as_bool(emit(*q.where), *q.where, "WHERE").sql;
    if (!q.select_all) {
      out.sql = "SELECT " + list;
    } else if (!condition.empty()) {
      out.sql = "SELECT 1";
    }
    if (!condition.empty()) out.sql += " WHERE " + condition;
    out.parameters = std::move(parameters_);
    return out;
  }

 private:
  [[noreturn]] static void type_error(const node& n, const std::string& what) {
    throw select_error("InvalidDataType", what + at(n));
  }

  std::string parameter(std::size_t field) {
    const auto [it, added] = parameter_of_.try_emplace(field, parameters_.size() + 1);
    if (added) parameters_.push_back(field);
    return "?" + std::to_string(it->second);
  }

  emitted column(const node& n) {
    if (n.text.empty()) return {parameter(n.position - 1), value_type::field};
    std::vector<std::size_t> matches;
    for (std::size_t i = 0; i < header_.size(); ++i) {
      if (n.quoted ? header_[i] == n.text : iequals(header_[i], n.text)) matches.push_back(i);
    }
    if (matches.size() > 1) {
      throw select_error("AmbiguousFieldName",
                         "The column name " + n.text + " matches " +
                             std::to_string(matches.size()) + " header names" + at(n) +
                             "; write it in double quotes to match its case exactly");
    }
    if (matches.empty()) {
      if (n.quoted) {
        throw select_error("MissingHeaderName",
                           "The header has no column named \"" + n.text + "\"" + at(n));
      }
      return {"NULL", value_type::null};  // an unquoted name that matches nothing is MISSING
    }
    return {parameter(matches.front()), value_type::field};
  }

  // What a CSV value becomes where a value of `domain` is needed.
  static emitted coerce(emitted e, value_type domain) {
    if (e.type != value_type::field) return e;
    switch (domain) {
      case value_type::integer:
      case value_type::number:
        return {"s3_num(" + e.sql + ")", value_type::number};
      case value_type::datetime:
        return {"s3_ts(" + e.sql + ")", value_type::datetime};
      case value_type::boolean:
        return {"s3_bool(" + e.sql + ")", value_type::boolean};
      default:
        return e;
    }
  }

  // The type several operands are compared (or unified) in; `strict` makes a mismatch an
  // error rather than `any`.
  static value_type domain(const std::vector<const emitted*>& operands, const node& n,
                           bool strict) {
    value_type found = value_type::null;
    bool fields = false;
    for (const auto* e : operands) {
      if (e->type == value_type::field) {
        fields = true;
        continue;
      }
      if (e->type == value_type::null || e->type == value_type::any) continue;
      if (found == value_type::null || found == e->type) {
        found = e->type;
      } else if (numeric(found) && numeric(e->type)) {
        found = value_type::number;
      } else if (strict) {
        type_error(n, std::string("Cannot compare a ") + type_text(found) + " with a " +
                          type_text(e->type) + "; CAST one of them");
      } else {
        return value_type::any;
      }
    }
    if (found == value_type::null) return fields ? value_type::string : value_type::any;
    return found;
  }

  static emitted as_number(emitted e, const node& n, const char* where) {
    if (e.type == value_type::field) return coerce(std::move(e), value_type::number);
    if (numeric(e.type) || e.type == value_type::null || e.type == value_type::any) return e;
    type_error(n, std::string(where) + " needs a number, not a " + type_text(e.type));
  }
  static emitted as_text(emitted e, const node& n, const char* where) {
    if (e.type == value_type::field || e.type == value_type::string || e.type == value_type::null ||
        e.type == value_type::any) {
      return e;
    }
    type_error(n, std::string(where) + " needs a string, not a " + type_text(e.type) +
                      "; CAST it AS STRING");
  }
  static emitted as_bool(emitted e, const node& n, const char* where) {
    if (e.type == value_type::boolean || e.type == value_type::null || e.type == value_type::any) {
      return e;
    }
    type_error(n, std::string(where) + " needs a boolean condition, not a " + type_text(e.type));
  }
  static emitted as_timestamp(emitted e, const node& n, const char* where) {
    if (e.type == value_type::datetime || e.type == value_type::null || e.type == value_type::any) {
      return e;
    }
    type_error(n, std::string(where) + " needs a timestamp, not a " + type_text(e.type) +
                      "; use TO_TIMESTAMP or CAST(... AS TIMESTAMP)");
  }

  emitted literal(const node& n) {
    switch (n.kind) {
      case node_kind::string_literal:
        return {quote_literal(n.text), value_type::string};
      case node_kind::integer_literal: {
        std::int64_t value = 0;
        const auto r = std::from_chars(n.text.data(), n.text.data() + n.text.size(), value);
        if (r.ec == std::errc{}) return {n.text, value_type::integer};
        return {double_literal(std::strtod(n.text.c_str(), nullptr), n), value_type::number};
      }
      case node_kind::number_literal:
        return {double_literal(std::strtod(n.text.c_str(), nullptr), n), value_type::number};
      case node_kind::bool_literal:
        return {n.text == "true" ? "1" : "0", value_type::boolean};
      case node_kind::timestamp_literal: {
        const auto t = parse_timestamp(n.text);
        if (!t) {
          throw select_error("ValueParseFailure", "`" + n.text + "` is not a timestamp" + at(n));
        }
        return {std::to_string(*t), value_type::datetime};
      }
      default:
        return {"NULL", value_type::null};
    }
  }

  emitted binary(const node& n) {
    const auto& op = n.text;
    auto left = emit(*n.args[0]);
    auto right = emit(*n.args[1]);
    if (op == "AND" || op == "OR") {
      const auto l = as_bool(std::move(left), n, op.c_str());
      return {chained(l, chain_of(op), op, as_bool(std::move(right), n, op.c_str()).sql),
              value_type::boolean, chain_of(op)};
    }
    if (op == "+" || op == "-" || op == "*" || op == "/" || op == "%") {
      left = as_number(std::move(left), n, "Arithmetic");
      right = as_number(std::move(right), n, "Arithmetic");
      const auto type = left.type == value_type::integer && right.type == value_type::integer
                            ? value_type::integer
                            : value_type::number;
      if (op == "/" || op == "%") {
        return {std::string(op == "/" ? "s3_div(" : "s3_mod(") + left.sql + ", " + right.sql + ")",
                type};
      }
      return {chained(left, chain_of(op), op, right.sql), type, chain_of(op)};
    }
    const auto d = domain({&left, &right}, n, true);
    return {"(" + coerce(std::move(left), d).sql + " " + op + " " +
                coerce(std::move(right), d).sql + ")",
            value_type::boolean};
  }

  emitted function(const node& n) {
    const auto& name = n.text;
    std::vector<emitted> args;
    for (const auto& a : n.args) args.push_back(emit(*a));
    if (name == "coalesce" || name == "nullif") {
      std::vector<const emitted*> all;
      for (const auto& a : args) all.push_back(&a);
      const auto d = domain(all, n, name == "nullif");
      std::string sql = name + "(";
      for (std::size_t i = 0; i < args.size(); ++i) {
        sql += (i ? ", " : "") + coerce(args[i], d).sql;
      }
      return {sql + ")", d == value_type::integer ? value_type::number : d};
    }
    if (name == "char_length" || name == "character_length") {
      return {"length(" + as_text(args[0], n, "CHAR_LENGTH").sql + ")", value_type::integer};
    }
    if (name == "lower" || name == "upper") {
      return {name + "(" + as_text(args[0], n, "LOWER/UPPER").sql + ")", value_type::string};
    }
    if (name == "substring") {
      std::string sql = "s3_substring(" + as_text(args[0], n, "SUBSTRING").sql + ", " +
                        as_number(args[1], n, "SUBSTRING's start").sql;
      if (args.size() == 3) sql += ", " + as_number(args[2], n, "SUBSTRING's length").sql;
      return {sql + ")", value_type::string};
    }
    if (name == "trim") {
      const char* f = n.part == "leading" ? "ltrim(" : n.part == "trailing" ? "rtrim(" : "trim(";
      std::string sql = f + as_text(args[0], n, "TRIM").sql;
      if (args.size() == 2) sql += ", " + as_text(args[1], n, "TRIM's characters").sql;
      return {sql + ")", value_type::string};
    }
    if (name == "to_string") {
      return {"s3_to_string(" + as_timestamp(args[0], n, "TO_STRING").sql + ", " +
                  as_text(args[1], n, "TO_STRING's pattern").sql + ")",
              value_type::string};
    }
    if (name == "to_timestamp") {
      return {"s3_to_timestamp(" + as_text(args[0], n, "TO_TIMESTAMP").sql + ")",
              value_type::datetime};
    }
    if (name == "utcnow") return {std::to_string(now_), value_type::datetime};
    if (name == "extract") {
      return {"s3_extract('" + n.part + "', " + as_timestamp(args[0], n, "EXTRACT").sql + ")",
              value_type::integer};
    }
    if (name == "date_add") {
      return {"s3_date_add('" + n.part + "', " + as_number(args[0], n, "DATE_ADD").sql + ", " +
                  as_timestamp(args[1], n, "DATE_ADD").sql + ")",
              value_type::datetime};
    }
    if (name == "date_diff") {
      return {"s3_date_diff('" + n.part + "', " + as_timestamp(args[0], n, "DATE_DIFF").sql + ", " +
                  as_timestamp(args[1], n, "DATE_DIFF").sql + ")",
              value_type::integer};
    }
    throw select_error("UnsupportedFunction", "Unsupported function " + name + at(n));
  }

  // SQL that is true when `n` evaluates to MISSING rather than to a value or NULL. SQLite
  // has one NULL for both, so this follows the dialect's rules statically: a CSV field is
  // never NULL, so a column is MISSING exactly when it is bound as NULL (the record has no
  // such field) or names no header; the NULL literal, COALESCE and NULLIF (which return
  // NULL, never MISSING) and conditions are never MISSING; any other expression is MISSING
  // when it is NULL because one of its operands is MISSING.
  std::string missing_sql(const node& n) {
    switch (n.kind) {
      case node_kind::missing_literal:
        return "1";
      case node_kind::column: {
        const auto e = column(n);
        return e.type == value_type::null ? "1" : "(" + e.sql + " IS NULL)";
      }
      case node_kind::function:
        if (n.text == "coalesce" || n.text == "nullif") return "0";
        break;
      case node_kind::is_null:
        return "0";
      default:
        break;
    }
    std::string operands;
    for (const auto& a : n.args) {
      const auto m = missing_sql(*a);
      if (m != "0") operands += (operands.empty() ? "" : " OR ") + m;
    }
    if (operands.empty()) return "0";
    return "(" + emit(n).sql + " IS NULL AND (" + operands + "))";
  }

  static value_type cast_target(const std::string& type) {
    if (type == "int") return value_type::integer;
    if (type == "float" || type == "decimal") return value_type::number;
    if (type == "bool") return value_type::boolean;
    if (type == "timestamp") return value_type::datetime;
    return value_type::string;
  }

  emitted emit(const node& n) {
    switch (n.kind) {
      case node_kind::string_literal:
      case node_kind::integer_literal:
      case node_kind::number_literal:
      case node_kind::bool_literal:
      case node_kind::null_literal:
      case node_kind::missing_literal:
      case node_kind::timestamp_literal:
        return literal(n);
      case node_kind::column:
        return column(n);
      case node_kind::negate: {
        const auto& operand = *n.args[0];
        if (operand.kind == node_kind::integer_literal ||
            operand.kind == node_kind::number_literal) {
          node negative;
          negative.kind = operand.kind;
          negative.text = "-" + operand.text;
          negative.offset = operand.offset;
          return literal(negative);
        }
        auto e = as_number(emit(operand), n, "Unary minus");
        return {"(-" + e.sql + ")", e.type};
      }
      case node_kind::binary:
        return binary(n);
      case node_kind::logical_not:
        return {"(NOT " + as_bool(emit(*n.args[0]), n, "NOT").sql + ")", value_type::boolean};
      case node_kind::is_null: {
        // IS NULL holds for NULL and MISSING alike; IS MISSING for MISSING only.
        const auto test =
            n.missing ? missing_sql(*n.args[0]) : "(" + emit(*n.args[0]).sql + " IS NULL)";
        return {n.negated ? "(NOT " + test + ")" : test, value_type::boolean};
      }
      case node_kind::between: {
        auto v = emit(*n.args[0]);
        auto lo = emit(*n.args[1]);
        auto hi = emit(*n.args[2]);
        const auto d = domain({&v, &lo, &hi}, n, true);
        return {"(" + coerce(v, d).sql + (n.negated ? " NOT BETWEEN " : " BETWEEN ") +
                    coerce(lo, d).sql + " AND " + coerce(hi, d).sql + ")",
                value_type::boolean};
      }
      case node_kind::in_list: {
        std::vector<emitted> items;
        for (const auto& a : n.args) items.push_back(emit(*a));
        std::vector<const emitted*> all;
        for (const auto& i : items) all.push_back(&i);
        const auto d = domain(all, n, true);
        std::string sql = "(" + coerce(items[0], d).sql + (n.negated ? " NOT IN (" : " IN (");
        for (std::size_t i = 1; i < items.size(); ++i) {
          sql += (i > 1 ? ", " : "") + coerce(items[i], d).sql;
        }
        return {sql + "))", value_type::boolean};
      }
      case node_kind::like: {
        std::string sql = "(" + as_text(emit(*n.args[0]), n, "LIKE").sql +
                          (n.negated ? " NOT LIKE " : " LIKE ") +
                          as_text(emit(*n.args[1]), n, "LIKE's pattern").sql;
        if (n.args.size() == 3) sql += " ESCAPE " + as_text(emit(*n.args[2]), n, "ESCAPE").sql;
        return {sql + ")", value_type::boolean};
      }
      case node_kind::cast: {
        const auto value = emit(*n.args[0]);
        const auto to = cast_target(n.text);
        return {"s3_cast(" + value.sql + ", " + std::to_string(static_cast<int>(value.type)) +
                    ", " + std::to_string(static_cast<int>(to)) + ")",
                to};
      }
      case node_kind::function:
        return function(n);
    }
    return {"NULL", value_type::null};
  }

  const std::vector<std::string>& header_;
  timestamp now_;
  std::vector<std::size_t> parameters_;
  std::map<std::size_t, std::size_t> parameter_of_;
};

}  // namespace

compiled_query translate(const query& q, const std::vector<std::string>& header, timestamp now) {
  return translator(header, now).run(q);
}

}  // namespace glacier::select
