// The Glacier Select dialect's parser: a tokenizer and a recursive-descent parser with the
// precedence of the SQL reference's operator table (unary minus, * / %, + -, IN, BETWEEN,
// LIKE, < > <= >=, = <> !=, NOT, AND, OR). It only builds the tree; evaluating it is
// sql_translation's and SQLite's job.
#include "glacier/jobs/select/query.hpp"

#include "glacier/jobs/select/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

namespace glacier::select {

namespace {

// The SQL reference's reserved keywords: written unquoted they are never column names.
const std::unordered_set<std::string>& reserved_words() {
  static const std::unordered_set<std::string> words = [] {
    constexpr std::string_view text =
        "absolute action add all allocate alter and any are as asc assertion at authorization avg "
        "bag begin between bit bit_length blob bool boolean both by cascade cascaded case cast "
        "catalog char char_length character character_length check clob close coalesce collate "
        "collation column commit connect connection constraint constraints continue convert "
        "corresponding count create cross current current_date current_time current_timestamp "
        "current_user cursor date day deallocate dec decimal declare default deferrable deferred "
        "delete desc describe descriptor diagnostics disconnect distinct domain double drop else "
        "end end-exec escape except exception exec execute exists external extract false fetch "
        "first float for foreign found from full get global go goto grant group having hour "
        "identity immediate in indicator initially inner input insensitive insert int integer "
        "intersect interval into is isolation join key language last leading left level like "
        "limit list local lower match max min minute missing module month names national natural "
        "nchar next no not null nullif numeric octet_length of on only open option or order outer "
        "output overlaps pad partial pivot position precision prepare preserve primary prior "
        "privileges procedure public read real references relative restrict revoke right rollback "
        "rows schema scroll second section select session session_user set sexp size smallint "
        "some space sql sqlcode sqlerror sqlstate string struct substring sum symbol system_user "
        "table temporary then time timestamp timezone_hour timezone_minute to trailing "
        "transaction translate translation trim true tuple union unique unknown unpivot update "
        "upper usage user using value values varchar varying view when whenever where with work "
        "write year zone";
    std::unordered_set<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = std::min(text.find(' ', start), text.size());
      out.emplace(text.substr(start, end - start));
      start = end + 1;
    }
    return out;
  }();
  return words;
}

enum class token_kind { identifier, quoted_identifier, string, number, timestamp, symbol, end };

struct token {
  token_kind kind = token_kind::end;
  std::string text;
  std::size_t offset = 0;  // 1-based character position
};

std::string at_character(std::size_t offset) {
  return " at character " + std::to_string(offset);
}

std::string where(const token& t) {
  return at_character(t.offset);
}

std::string describe(const token& t) {
  switch (t.kind) {
    case token_kind::end:
      return "the end of the expression";
    case token_kind::string:
      return "'" + t.text + "'";
    case token_kind::quoted_identifier:
      return "\"" + t.text + "\"";
    case token_kind::timestamp:
      return "`" + t.text + "`";
    default:
      return t.text;
  }
}

class lexer {
 public:
  explicit lexer(std::string_view text) : text_(text) {}

  std::vector<token> tokens() {
    std::vector<token> out;
    for (;;) {
      skip_space();
      token t;
      t.offset = column();
      if (at_ >= text_.size()) {
        out.push_back(t);
        return out;
      }
      const char c = text_[at_];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        t.kind = token_kind::identifier;
        const auto start = at_;
        while (at_ < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) {
          ++at_;
        }
        t.text = text_.substr(start, at_ - start);
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && at_ + 1 < text_.size() &&
                  std::isdigit(static_cast<unsigned char>(text_[at_ + 1])))) {
        t.kind = token_kind::number;
        t.text = number();
      } else if (c == '\'' || c == '"' || c == '`') {
        t.kind = c == '\''  ? token_kind::string
                 : c == '"' ? token_kind::quoted_identifier
                            : token_kind::timestamp;
        t.text = quoted(c, t);
      } else {
        t.kind = token_kind::symbol;
        t.text = symbol(t);
      }
      out.push_back(std::move(t));
    }
  }

 private:
  // 1-based character position of at_ (UTF-8 continuation bytes are not characters),
  // counted on from the last call: at_ only moves forward, and counting from the start
  // for every token would make a 128,000-character expression quadratic.
  std::size_t column() {
    characters_ += static_cast<std::size_t>(
        std::count_if(text_.begin() + static_cast<std::ptrdiff_t>(counted_),
                      text_.begin() + static_cast<std::ptrdiff_t>(at_),
                      [](char ch) { return (static_cast<unsigned char>(ch) & 0xc0) != 0x80; }));
    counted_ = at_;
    return 1 + characters_;
  }

  void skip_space() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++at_;
      } else if (c == '-' && at_ + 1 < text_.size() && text_[at_ + 1] == '-') {
        while (at_ < text_.size() && text_[at_] != '\n') ++at_;  // -- comment
      } else {
        return;
      }
    }
  }

  std::string number() {
    const auto start = at_;
    auto digits = [&] {
      while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) ++at_;
    };
    digits();
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      digits();
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      const auto mark = at_;
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) {
        digits();
      } else {
        at_ = mark;
      }
    }
    if (at_ < text_.size() &&
        (std::isalpha(static_cast<unsigned char>(text_[at_])) || text_[at_] == '_')) {
      token t;
      t.offset = column();
      throw select_error("LexerInvalidLiteral",
                         "Invalid numeric literal " +
                             std::string(text_.substr(start, at_ + 1 - start)) + where(t));
    }
    return std::string(text_.substr(start, at_ - start));
  }

  // A '...', "..." or `...` token; the quote character doubled stands for itself.
  std::string quoted(char quote, const token& t) {
    std::string out;
    ++at_;
    for (;;) {
      if (at_ >= text_.size()) {
        const char* what = quote == '\''  ? "string literal"
                           : quote == '"' ? "quoted name"
                                          : "timestamp literal";
        throw select_error("LexerNonTerminatedStringLiteral",
                           std::string("Unterminated ") + what + where(t));
      }
      const char c = text_[at_++];
      if (c == quote) {
        if (at_ < text_.size() && text_[at_] == quote) {
          out += quote;
          ++at_;
          continue;
        }
        return out;
      }
      if (c == '\0') {
        throw select_error("LexerInvalidChar", "A NUL character is not allowed" + where(t));
      }
      out += c;
    }
  }

  std::string symbol(const token& t) {
    static constexpr std::array<std::string_view, 6> two{"<=", ">=", "<>", "!=", "||", "=="};
    for (const auto s : two) {
      if (text_.substr(at_, 2) == s) {
        at_ += 2;
        if (s == "==" || s == "||") {
          throw select_error("LexerInvalidOperator",
                             "Unsupported operator " + std::string(s) + where(t));
        }
        return std::string(s);
      }
    }
    const char c = text_[at_];
    static constexpr std::string_view singles = "(),.*+-/%=<>[]";
    if (singles.find(c) == std::string_view::npos) {
      std::string shown(1, c);
      if (static_cast<unsigned char>(c) < 0x20) shown = "\\x" + std::to_string(static_cast<int>(c));
      throw select_error("LexerInvalidChar", "Invalid character " + shown + where(t));
    }
    ++at_;
    return std::string(1, c);
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::size_t counted_ = 0;     // column() has counted the characters before this byte
  std::size_t characters_ = 0;  // ... and found this many
};

bool is_positional(std::string_view name) {
  return name.size() >= 2 && name[0] == '_' &&
         std::all_of(name.begin() + 1, name.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

struct function_info {
  std::string_view name;
  std::size_t min_args;
  std::size_t max_args;
};

// The functions of the SQL reference that Glacier Select has (aggregates are S3's only).
constexpr std::array<function_info, 9> plain_functions{{
    {"coalesce", 1, 64},
    {"nullif", 2, 2},
    {"char_length", 1, 1},
    {"character_length", 1, 1},
    {"lower", 1, 1},
    {"upper", 1, 1},
    {"to_string", 2, 2},
    {"to_timestamp", 1, 1},
    {"utcnow", 0, 0},
}};

constexpr std::array<std::string_view, 5> aggregates{"count", "sum", "avg", "min", "max"};
constexpr std::array<std::string_view, 6> date_parts{"year", "month",  "day",
                                                     "hour", "minute", "second"};

class parser {
 public:
  explicit parser(std::string_view text) : tokens_(lexer(text).tokens()) {}

  query parse() {
    query q;
    expect_keyword("select");
    if (keyword("distinct") || keyword("all")) {
      unsupported(peek(), "DISTINCT is not supported by Glacier Select");
    }
    if (symbol("*")) {
      next();
      q.select_all = true;
      if (symbol(",")) {
        throw select_error(
            "ParseAsteriskIsNotAloneInSelectList",
            "Other expressions are not allowed in the SELECT list with *" + where(peek()));
      }
    } else {
      do {
        if (symbol(",")) next();
        projection p;
        p.value = expression();
        if (keyword("as")) {
          next();
          p.alias = alias_name();
        } else if ((peek().kind == token_kind::identifier && !is_reserved(peek())) ||
                   peek().kind == token_kind::quoted_identifier) {
          p.alias = alias_name();
        }
        q.projections.push_back(std::move(p));
      } while (symbol(","));
    }
    if (!keyword("from")) {
      if (peek().kind == token_kind::end) {
        throw select_error("ParseSelectMissingFrom", "The SELECT has no FROM clause");
      }
      unexpected(peek());
    }
    next();
    const auto table = next();
    if (table.kind != token_kind::identifier) {
      if (table.kind == token_kind::symbol && table.text == "(") {
        unsupported(table, "Subqueries are not supported by Glacier Select",
                    "ParseUnsupportedSelect");
      }
      unexpected(table);
    }
    q.table = table.text;
    if (symbol("[") || symbol(".")) unsupported(peek(), "Paths after FROM are S3 Select's only");
    if (keyword("as")) {
      next();
      q.alias = alias_name();
    } else if ((peek().kind == token_kind::identifier && !is_reserved(peek())) ||
               peek().kind == token_kind::quoted_identifier) {
      q.alias = alias_name();
    }
    if (symbol(",") || keyword("join") || keyword("inner") || keyword("left") || keyword("cross") ||
        keyword("right") || keyword("full")) {
      unsupported(peek(), "Joins are not supported by Glacier Select", "ParseMalformedJoin");
    }
    if (keyword("where")) {
      next();
      q.where = expression();
    }
    refuse_trailing_clause();
    if (peek().kind != token_kind::end) unexpected(peek());
    return q;
  }

 private:
  const token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(at_ + ahead, tokens_.size() - 1)];
  }
  token next() {
    auto t = peek();
    if (at_ < tokens_.size() - 1) ++at_;
    return t;
  }
  bool keyword(std::string_view word, std::size_t ahead = 0) const {
    const auto& t = peek(ahead);
    return t.kind == token_kind::identifier && iequals(t.text, word);
  }
  bool symbol(std::string_view s) const {
    return peek().kind == token_kind::symbol && peek().text == s;
  }
  static bool is_reserved(const token& t) {
    return t.kind == token_kind::identifier && reserved_words().contains(ascii_lower(t.text));
  }

  [[noreturn]] static void unexpected(const token& t) {
    if (t.kind == token_kind::end) {
      throw select_error("ParseExpectedExpression",
                         "The expression ended where more was expected" + where(t));
    }
    if (is_reserved(t)) {
      throw select_error("ParseUnExpectedKeyword",
                         "Unexpected keyword " + t.text + where(t) +
                             " (a column named like a keyword must be written in double quotes)");
    }
    throw select_error("ParseUnexpectedToken", "Unexpected token " + describe(t) + where(t));
  }
  /// Refuses what Glacier Select does not have, with S3 Select's code for it where it has
  /// one (ParseUnsupportedCase, ParseMalformedJoin, ...), else UnsupportedSyntax.
  [[noreturn]] static void unsupported(const token& t, const std::string& what,
                                       const char* code = "UnsupportedSyntax") {
    throw select_error(code, what + where(t));
  }

  void expect_keyword(std::string_view word) {
    if (!keyword(word)) {
      if (peek().kind == token_kind::end) {
        throw select_error("ParseEmptySelect", "The expression is not a SELECT statement");
      }
      throw select_error("ParseExpectedKeyword", "Expected " + ascii_lower(word) + " but found " +
                                                     describe(peek()) + where(peek()));
    }
    next();
  }
  void expect_symbol(std::string_view s) {
    if (!symbol(s)) {
      throw select_error(
          s == ")" ? "ParseExpectedRightParenBuiltinFunctionCall" : "ParseExpectedTokenType",
          "Expected " + std::string(s) + " but found " + describe(peek()) + where(peek()));
    }
    next();
  }

  std::string alias_name() {
    const auto t = next();
    if (t.kind == token_kind::quoted_identifier) return t.text;
    if (t.kind != token_kind::identifier || is_reserved(t)) {
      throw select_error("ParseExpectedIdentForAlias",
                         "Expected a name for the alias but found " + describe(t) + where(t));
    }
    return t.text;
  }

  void refuse_trailing_clause() {
    struct clause {
      std::string_view word;
      std::string_view message;
      const char* code;
    };
    static constexpr std::array<clause, 7> clauses{{
        {"limit", "LIMIT is not supported by Glacier Select (it is S3 Select's only)",
         "UnsupportedSyntax"},
        {"group", "GROUP BY is not supported by Glacier Select", "ParseExpectedIdentForGroupName"},
        {"order", "ORDER BY is not supported by Glacier Select", "UnsupportedSyntax"},
        {"having", "HAVING is not supported by Glacier Select", "UnsupportedSyntax"},
        {"union", "UNION is not supported by Glacier Select", "UnsupportedSyntax"},
        {"intersect", "INTERSECT is not supported by Glacier Select", "UnsupportedSyntax"},
        {"except", "EXCEPT is not supported by Glacier Select", "UnsupportedSyntax"},
    }};
    for (const auto& c : clauses) {
      if (keyword(c.word)) unsupported(peek(), std::string(c.message), c.code);
    }
  }

  static std::string nesting_message() {
    return "The expression nests parentheses, function calls, NOT or unary minus more than " +
           std::to_string(max_nesting) + " deep";
  }

  // Makes `child` an operand of `parent`, keeping the tree at most max_tree_depth deep:
  // the checks, the translation and the tree's destruction walk it recursively (also on
  // request threads), and SQLite refuses expressions nested over 1000 deep.
  static void adopt(node& parent, std::unique_ptr<node> child) {
    parent.depth = std::max(parent.depth, child->depth + 1);
    if (parent.depth > max_tree_depth) {
      throw select_error("MaxOperatorsExceeded", "The expression has operators nested more than " +
                                                     std::to_string(max_tree_depth) + " deep" +
                                                     at_character(parent.offset) +
                                                     "; use fewer operators (IN for "
                                                     "a list of alternatives)");
    }
    parent.args.push_back(std::move(child));
  }

  std::unique_ptr<node> make(node_kind kind, const token& at) {
    auto n = std::make_unique<node>();
    n->kind = kind;
    n->offset = at.offset;
    return n;
  }
  std::unique_ptr<node> binary(std::string op, const token& at, std::unique_ptr<node> left,
                               std::unique_ptr<node> right) {
    auto n = make(node_kind::binary, at);
    n->text = std::move(op);
    adopt(*n, std::move(left));
    adopt(*n, std::move(right));
    return n;
  }

  std::unique_ptr<node> expression() {
    if (++depth_ > max_nesting) {
      throw select_error("MaxOperatorsExceeded", nesting_message() + where(peek()));
    }
    auto e = or_expression();
    --depth_;
    return e;
  }

  std::unique_ptr<node> or_expression() {
    auto left = and_expression();
    while (keyword("or")) {
      const auto op = next();
      left = binary("OR", op, std::move(left), and_expression());
    }
    return left;
  }

  std::unique_ptr<node> and_expression() {
    auto left = not_expression();
    while (keyword("and")) {
      const auto op = next();
      left = binary("AND", op, std::move(left), not_expression());
    }
    return left;
  }

  std::unique_ptr<node> not_expression() {
    if (keyword("not")) {
      const auto op = next();
      if (++depth_ > max_nesting) {
        throw select_error("MaxOperatorsExceeded", nesting_message() + where(op));
      }
      auto n = make(node_kind::logical_not, op);
      adopt(*n, not_expression());
      --depth_;
      return n;
    }
    return equality();
  }

  std::unique_ptr<node> equality() {
    auto left = relational();
    while (symbol("=") || symbol("<>") || symbol("!=")) {
      const auto op = next();
      left = binary(op.text == "!=" ? "<>" : op.text, op, std::move(left), relational());
    }
    return left;
  }

  std::unique_ptr<node> relational() {
    auto left = predicate();
    while (symbol("<") || symbol(">") || symbol("<=") || symbol(">=")) {
      const auto op = next();
      left = binary(op.text, op, std::move(left), predicate());
    }
    return left;
  }

  std::unique_ptr<node> predicate() {
    auto value = additive();
    const bool negated =
        keyword("not") && (keyword("like", 1) || keyword("between", 1) || keyword("in", 1));
    if (negated) next();
    if (keyword("like")) {
      auto n = make(node_kind::like, next());
      n->negated = negated;
      adopt(*n, std::move(value));
      adopt(*n, additive());
      if (keyword("escape")) {
        next();
        adopt(*n, additive());
      }
      return n;
    }
    if (keyword("between")) {
      auto n = make(node_kind::between, next());
      n->negated = negated;
      adopt(*n, std::move(value));
      adopt(*n, additive());
      if (!keyword("and")) {
        throw select_error("ParseExpectedKeyword",
                           "Expected AND in BETWEEN but found " + describe(peek()) + where(peek()));
      }
      next();
      adopt(*n, additive());
      return n;
    }
    if (keyword("in")) {
      auto n = make(node_kind::in_list, next());
      n->negated = negated;
      adopt(*n, std::move(value));
      expect_symbol("(");
      if (keyword("select")) {
        unsupported(peek(), "Subqueries are not supported by Glacier Select",
                    "ParseUnsupportedSelect");
      }
      do {
        if (symbol(",")) next();
        adopt(*n, expression());
      } while (symbol(","));
      expect_symbol(")");
      return n;
    }
    if (keyword("is")) {
      auto n = make(node_kind::is_null, next());
      if (keyword("not")) {
        next();
        n->negated = true;
      }
      if (keyword("missing")) {
        n->missing = true;
      } else if (!keyword("null")) {
        throw select_error("ParseExpectedKeyword", "Expected NULL or MISSING after IS but found " +
                                                       describe(peek()) + where(peek()));
      }
      next();
      adopt(*n, std::move(value));
      return n;
    }
    return value;
  }

  std::unique_ptr<node> additive() {
    auto left = multiplicative();
    while (symbol("+") || symbol("-")) {
      const auto op = next();
      left = binary(op.text, op, std::move(left), multiplicative());
    }
    return left;
  }

  std::unique_ptr<node> multiplicative() {
    auto left = unary();
    while (symbol("*") || symbol("/") || symbol("%")) {
      const auto op = next();
      left = binary(op.text, op, std::move(left), unary());
    }
    return left;
  }

  std::unique_ptr<node> unary() {
    if (symbol("-") || symbol("+")) {
      const auto op = next();
      if (++depth_ > max_nesting) {
        throw select_error("MaxOperatorsExceeded", nesting_message() + where(op));
      }
      auto operand = unary();
      --depth_;
      if (op.text == "+") return operand;
      auto n = make(node_kind::negate, op);
      adopt(*n, std::move(operand));
      return n;
    }
    return primary();
  }

  std::unique_ptr<node> primary() {
    const auto t = peek();
    switch (t.kind) {
      case token_kind::string: {
        next();
        auto n = make(node_kind::string_literal, t);
        n->text = t.text;
        return n;
      }
      case token_kind::number: {
        next();
        const bool integer = t.text.find_first_of(".eE") == std::string::npos;
        auto n = make(integer ? node_kind::integer_literal : node_kind::number_literal, t);
        n->text = t.text;
        return n;
      }
      case token_kind::timestamp: {
        next();
        auto n = make(node_kind::timestamp_literal, t);
        n->text = t.text;
        return n;
      }
      case token_kind::quoted_identifier:
        return column(std::nullopt);
      case token_kind::symbol:
        if (t.text == "(") {
          next();
          if (keyword("select")) {
            unsupported(peek(), "Subqueries are not supported by Glacier Select",
                        "ParseUnsupportedSelect");
          }
          auto e = expression();
          expect_symbol(")");
          return e;
        }
        if (t.text == "*") {
          throw select_error("ParseInvalidContextForWildcardInSelectList",
                             "* can only stand alone in the SELECT list" + where(t));
        }
        unexpected(t);
      case token_kind::end:
        unexpected(t);
      case token_kind::identifier:
        break;
    }
    const auto word = ascii_lower(t.text);
    if (word == "true" || word == "false") {
      next();
      auto n = make(node_kind::bool_literal, t);
      n->text = word;
      return n;
    }
    if (word == "null" || word == "missing") {
      next();
      return make(word == "null" ? node_kind::null_literal : node_kind::missing_literal, t);
    }
    if (word == "select") {
      unsupported(t, "Subqueries are not supported by Glacier Select", "ParseUnsupportedSelect");
    }
    if (word == "case") {
      unsupported(t, "CASE is not supported by Glacier Select", "ParseUnsupportedCase");
    }
    if (peek(1).kind == token_kind::symbol && peek(1).text == "(") return call();
    if (peek(1).kind == token_kind::symbol && peek(1).text == ".") {
      if (is_reserved(t)) unexpected(t);
      next();
      next();
      return column(t.text);
    }
    return column(std::nullopt);
  }

  // A column reference: _N, name or "Name", after the qualifier when there was one.
  std::unique_ptr<node> column(std::optional<std::string> qualifier) {
    const auto t = next();
    if (t.kind == token_kind::symbol && t.text == "*") {
      unsupported(t, "alias.* is not supported by Glacier Select; use SELECT *");
    }
    if (t.kind != token_kind::identifier && t.kind != token_kind::quoted_identifier) {
      throw select_error("ParseInvalidPathComponent",
                         "Expected a column name but found " + describe(t) + where(t));
    }
    if (t.kind == token_kind::identifier && is_reserved(t)) unexpected(t);
    auto n = make(node_kind::column, t);
    n->qualifier = std::move(qualifier);
    n->quoted = t.kind == token_kind::quoted_identifier;
    if (!n->quoted && is_positional(t.text)) {
      const auto digits = std::string_view(t.text).substr(1);
      // Anything past the column limit is as invalid as _0; keep the arithmetic bounded.
      n->position = digits.size() > 8 ? max_columns + 1 : std::stoul(std::string(digits));
    } else {
      n->text = t.text;
    }
    if (symbol(".") || symbol("[")) {
      throw select_error("ParseInvalidPathComponent",
                         "Nested paths are not supported for CSV" + where(peek()));
    }
    return n;
  }

  std::string date_part(bool extract) {
    const auto t = next();
    const auto word = ascii_lower(t.text);
    const bool ok = t.kind == token_kind::identifier &&
                    (std::find(date_parts.begin(), date_parts.end(), word) != date_parts.end() ||
                     (extract && (word == "timezone_hour" || word == "timezone_minute")));
    if (!ok) {
      throw select_error("ParseExpectedDatePart",
                         "Expected a date part (year, month, day, hour, minute, second" +
                             std::string(extract ? ", timezone_hour, timezone_minute" : "") +
                             ") but found " + describe(t) + where(t));
    }
    return word;
  }

  std::unique_ptr<node> call() {
    const auto name_token = next();
    const auto name = ascii_lower(name_token.text);
    expect_symbol("(");
    if (std::find(aggregates.begin(), aggregates.end(), name) != aggregates.end()) {
      throw select_error("UnsupportedFunction",
                         "Aggregate functions (" + std::string(name_token.text) +
                             ") are not supported by Glacier Select (they are S3 Select's only)" +
                             where(name_token));
    }
    auto n = make(node_kind::function, name_token);
    n->text = name;
    if (name == "cast") {
      n->kind = node_kind::cast;
      adopt(*n, expression());
      if (!keyword("as")) {
        throw select_error("ParseExpectedKeyword",
                           "Expected AS in CAST but found " + describe(peek()) + where(peek()));
      }
      next();
      n->text = type_name();
    } else if (name == "substring") {
      adopt(*n, expression());
      const bool from = keyword("from");
      if (!from && !symbol(",")) expect_symbol(",");
      next();
      adopt(*n, expression());
      if ((from && keyword("for")) || (!from && symbol(","))) {
        next();
        adopt(*n, expression());
      }
    } else if (name == "trim") {
      trim_arguments(*n);
    } else if (name == "extract") {
      n->part = date_part(true);
      if (!keyword("from")) {
        throw select_error("ParseExpectedKeyword", "Expected FROM in EXTRACT but found " +
                                                       describe(peek()) + where(peek()));
      }
      next();
      adopt(*n, expression());
    } else if (name == "date_add" || name == "date_diff") {
      n->part = date_part(false);
      expect_symbol(",");
      adopt(*n, expression());
      expect_symbol(",");
      adopt(*n, expression());
    } else {
      const auto info = std::find_if(plain_functions.begin(), plain_functions.end(),
                                     [&](const function_info& f) { return f.name == name; });
      if (info == plain_functions.end()) {
        throw select_error("UnsupportedFunction",
                           "Unsupported function " + name_token.text + where(name_token));
      }
      if (!symbol(")")) {
        do {
          if (symbol(",")) next();
          adopt(*n, expression());
        } while (symbol(","));
      }
      if (n->args.size() < info->min_args || n->args.size() > info->max_args) {
        throw select_error("EvaluatorInvalidArguments",
                           "Wrong number of arguments for " + name_token.text + ": " +
                               std::to_string(n->args.size()) + where(name_token));
      }
    }
    expect_symbol(")");
    return n;
  }

  void trim_arguments(node& n) {
    n.part = "both";
    if (keyword("leading") || keyword("trailing") || keyword("both"))
      n.part = ascii_lower(next().text);
    std::unique_ptr<node> characters;
    if (!keyword("from")) characters = expression();
    if (keyword("from")) {
      next();
      adopt(n, expression());
      if (characters) adopt(n, std::move(characters));
    } else if (characters && n.part == "both" && n.args.empty()) {
      adopt(n, std::move(characters));  // TRIM(s)
    } else {
      throw select_error("ParseExpectedKeyword",
                         "Expected FROM in TRIM but found " + describe(peek()) + where(peek()));
    }
  }

  std::string type_name() {
    const auto t = next();
    const auto word = ascii_lower(t.text);
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> types{{
        {"bool", "bool"},
        {"boolean", "bool"},
        {"int", "int"},
        {"integer", "int"},
        {"string", "string"},
        {"float", "float"},
        {"decimal", "decimal"},
        {"numeric", "decimal"},
        {"timestamp", "timestamp"},
    }};
    for (const auto& [spelling, canonical] : types) {
      if (t.kind == token_kind::identifier && word == spelling) {
        // DECIMAL(p[, s]): precision and scale are accepted and ignored, as S3 Select does.
        if (canonical == "decimal" && symbol("(")) {
          next();
          do {
            if (symbol(",")) next();
            if (peek().kind != token_kind::number) {
              throw select_error("ParseInvalidTypeParam",
                                 "Expected a number in DECIMAL( )" + where(peek()));
            }
            next();
          } while (symbol(","));
          expect_symbol(")");
        }
        return std::string(canonical);
      }
    }
    throw select_error("ParseExpectedTypeName",
                       "Expected a type name (bool, int, integer, string, float, decimal, "
                       "numeric, timestamp) but found " +
                           describe(t) + where(t));
  }

  std::vector<token> tokens_;
  std::size_t at_ = 0;
  int depth_ = 0;
};

std::size_t character_count(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  }));
}

void check_node(const node& n, const query& q, csv_header_mode header, bool& names,
                bool& positions) {
  if (n.kind == node_kind::like && n.args.size() == 3 &&
      n.args[2]->kind == node_kind::string_literal && character_count(n.args[2]->text) != 1) {
    throw select_error("LikeInvalidInputs", "The ESCAPE of LIKE must be one character, not '" +
                                                n.args[2]->text + "'" +
                                                at_character(n.args[2]->offset));
  }
  if (n.kind == node_kind::column) {
    if (n.qualifier) {
      const auto& expected = q.alias ? *q.alias : q.table;
      if (!iequals(*n.qualifier, expected)) {
        throw select_error("InvalidTableAlias",
                           "The SQL expression contains an invalid table "
                           "alias: " +
                               *n.qualifier + at_character(n.offset));
      }
    }
    if (n.text.empty()) {
      if (n.position == 0 || n.position > max_columns) {
        throw select_error("InvalidColumnIndex",
                           "The column index _" +
                               (n.position == 0 ? std::string("0") : std::string("N")) +
                               " in the SQL expression is invalid; columns "
                               "are _1 to _1048576" +
                               at_character(n.offset));
      }
      positions = true;
    } else {
      if (header != csv_header_mode::use) {
        throw select_error("EvaluatorBindingDoesNotExist",
                           "Column name " + n.text + at_character(n.offset) +
                               " needs FileHeaderInfo USE; with NONE or IGNORE refer to columns "
                               "by position (_1, _2, ...)");
      }
      names = true;
    }
  }
  for (const auto& a : n.args) check_node(*a, q, header, names, positions);
}

}  // namespace

query parse_query(std::string_view expression) {
  return parser(expression).parse();
}

void check_query(const query& q, csv_header_mode header) {
  if (!iequals(q.table, "archive") && !iequals(q.table, "object")) {
    throw select_error("InvalidDataSource",
                       "Glacier Select queries FROM ARCHIVE or FROM OBJECT, "
                       "not " +
                           q.table);
  }
  bool names = false;
  bool positions = false;
  for (const auto& p : q.projections) check_node(*p.value, q, header, names, positions);
  if (q.where) check_node(*q.where, q, header, names, positions);
  if (names && positions) {
    throw select_error("UnsupportedSyntax",
                       "Column positions (_1, _2, ...) and header names cannot be mixed in one "
                       "query");
  }
}

query parse_and_check(std::string_view expression, csv_header_mode header) {
  auto q = parse_query(expression);
  check_query(q, header);
  return q;
}

}  // namespace glacier::select
