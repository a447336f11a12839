#include "glacier/jobs/select/csv_reader.hpp"

#include <cstring>

#include "glacier/jobs/select/query.hpp"

namespace glacier::select {

namespace {

// Eight bytes at a time while they are ASCII, the common case; then a byte-wise check.
bool ascii_prefix(const unsigned char*& p, const unsigned char* end) {
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    if ((word & 0x8080808080808080ULL) != 0) return false;
    p += 8;
  }
  while (p < end && *p < 0x80) ++p;
  return p == end;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (!ascii_prefix(p, end)) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1fU;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0fU;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07U;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= n) return false;
    for (std::size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3fU);
    }
    static constexpr std::uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
    if (cp < smallest[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    p += n + 1;
  }
  return true;
}

csv_reader::csv_reader(std::string_view data, const csv_input_format& format)
    : data_(data), format_(format) {}

void csv_reader::fail(const char* code, const std::string& what) const {
  throw select_error(code, what + " in record " + std::to_string(record_number_));
}

void csv_reader::skip_record() {
  const auto end = data_.find(format_.record_delimiter, at_);
  at_ = end == std::string_view::npos ? data_.size() : end + 1;
}

bool csv_reader::next(std::vector<std::string_view>& fields) {
  const char fd = format_.field_delimiter;
  const char rd = format_.record_delimiter;
  const char q = format_.quote;
  const char esc = format_.quote_escape;
  // "\r\n" ends a record when records end in "\n" and "\r" has no other role.
  const bool crlf = rd == '\n' && fd != '\r' && q != '\r';
  const auto size = data_.size();
  for (;;) {
    if (at_ >= size) return false;
    ++record_number_;
    const auto start = at_;
    const char first = data_[at_];
    if (first == format_.comments) {
      skip_record();
      continue;
    }
    if (first == rd) {
      ++at_;
      continue;
    }
    if (crlf && first == '\r' && at_ + 1 < size && data_[at_ + 1] == '\n') {
      at_ += 2;
      continue;
    }
    scratch_.clear();
    spans_.clear();
    for (;;) {
      if (spans_.size() == max_columns) fail("OverMaxColumn", "More than 1048576 columns");
      if (at_ < size && data_[at_] == q) {
        ++at_;
        const auto content = at_;
        bool copied = false;
        std::size_t copy_start = 0;
        for (;;) {
          if (at_ >= size) fail("CSVParsingError", "A quoted field is not closed");
          const char c = data_[at_];
          // QuoteEscapeCharacter then QuoteCharacter is a quote ("" by default).
          const bool escaped_quote = c == esc && at_ + 1 < size && data_[at_ + 1] == q;
          if (escaped_quote) {
            if (!copied) {
              copied = true;
              copy_start = scratch_.size();
              scratch_.append(data_.substr(content, at_ - content));
            }
            scratch_ += q;
            at_ += 2;
            continue;
          }
          if (c == q) break;
          if (copied) scratch_ += c;
          ++at_;
          if (at_ - start > max_record_bytes) {
            fail("OverMaxRecordSize", "A record is longer than 1 MB (1048576 bytes)");
          }
        }
        spans_.push_back(copied ? field_span{copy_start, scratch_.size() - copy_start, true}
                                : field_span{content, at_ - content, false});
        ++at_;  // the closing quote
        if (at_ < size) {
          const char c = data_[at_];
          const bool ends =
              c == fd || c == rd || (crlf && c == '\r' && at_ + 1 < size && data_[at_ + 1] == '\n');
          if (!ends)
            fail("CSVUnescapedQuote", "A quote is followed by text other than a delimiter");
          if (c == '\r' && crlf) ++at_;
        }
      } else {
        const auto begin = at_;
        while (at_ < size) {
          const char c = data_[at_];
          if (c == fd || c == rd) break;
          ++at_;
        }
        auto end = at_;
        if (crlf && (at_ == size || data_[at_] == '\n') && end > begin && data_[end - 1] == '\r') {
          --end;
        }
        spans_.push_back({begin, end - begin, false});
      }
      if (at_ - start > max_record_bytes) {
        fail("OverMaxRecordSize", "A record is longer than 1 MB (1048576 bytes)");
      }
      if (at_ >= size) break;
      if (data_[at_++] == fd) continue;
      break;  // the record delimiter
    }
    if (!is_valid_utf8(data_.substr(start, at_ - start))) {
      fail("InvalidTextEncoding",
           "Invalid encoding type: only UTF-8 text is supported (the archive must be "
           "uncompressed CSV)");
    }
    fields.clear();
    for (const auto& s : spans_) {
      fields.push_back(s.in_scratch ? std::string_view(scratch_).substr(s.offset, s.length)
                                    : data_.substr(s.offset, s.length));
    }
    return true;
  }
}

csv_writer::csv_writer(const csv_output_format& format) : format_(format) {}

bool csv_writer::needs_quotes(std::string_view field) const {
  for (const char c : field) {
    if (c == format_.field_delimiter || c == format_.record_delimiter || c == format_.quote ||
        c == '\r' || c == '\n') {
      return true;
    }
  }
  return false;
}

void csv_writer::write(std::string& out, const std::vector<std::string_view>& fields) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) out += format_.field_delimiter;
    const auto field = fields[i];
    if (format_.quote_fields == csv_quote_fields::as_needed && !needs_quotes(field)) {
      out += field;
      continue;
    }
    out += format_.quote;
    for (const char c : field) {
      if (c == format_.quote) out += format_.quote_escape;
      out += c;
    }
    out += format_.quote;
  }
  out += format_.record_delimiter;
}

}  // namespace glacier::select
