#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "glacier/store/model/select_request.hpp"

namespace glacier::select {

/// The largest record, in bytes, read or written (the developer guide's 1 MB).
inline constexpr std::size_t max_record_bytes = 1 << 20;

/// Reads an archive as CSV, one record at a time, with CSVInput's settings; the fields of a
/// record point into the archive (or, for quoted fields with escapes, into the reader) and
/// stay valid until the next call. Nothing is copied that needs no unescaping.
///
/// Rules: a record starting with the Comments character is skipped, and so is an empty one;
/// a quoted field may hold delimiters and record delimiters; inside it QuoteEscapeCharacter
/// followed by QuoteCharacter (by default a doubled quote) stands for a quote; with the
/// default "\n" record delimiter a "\r" before it is dropped (CRLF files). Errors
/// (select_error): OverMaxRecordSize, OverMaxColumn, CSVUnescapedQuote (text after a
/// closing quote), CSVParsingError (a quote left open), InvalidTextEncoding (not UTF-8).
class csv_reader {
 public:
  csv_reader(std::string_view data, const csv_input_format& format);

  /// Reads the next record into `fields`; false at the end of the archive.
  bool next(std::vector<std::string_view>& fields);
  /// The 1-based number of the record `next` returned last (comments and empty lines count).
  std::uint64_t record_number() const { return record_number_; }
  /// Bytes consumed so far.
  std::size_t position() const { return at_; }

 private:
  void skip_record();
  [[noreturn]] void fail(const char* code, const std::string& what) const;

  std::string_view data_;
  csv_input_format format_;
  std::size_t at_ = 0;
  std::uint64_t record_number_ = 0;
  std::string scratch_;  // unescaped quoted fields of the current record
  struct field_span {
    std::size_t offset;
    std::size_t length;
    bool in_scratch;
  };
  std::vector<field_span> spans_;
};

/// Writes result records with CSVOutput's settings.
class csv_writer {
 public:
  explicit csv_writer(const csv_output_format& format);

  /// Appends one record of `fields` to `out`.
  void write(std::string& out, const std::vector<std::string_view>& fields) const;

 private:
  bool needs_quotes(std::string_view field) const;

  csv_output_format format_;
};

/// True when `text` is valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool is_valid_utf8(std::string_view text);

}  // namespace glacier::select
