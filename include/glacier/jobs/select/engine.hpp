#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "glacier/jobs/select/timestamp.hpp"
#include "glacier/store/model/select_request.hpp"

namespace glacier::select {

/// What a query produced.
struct query_result {
  std::vector<std::string> parts;  ///< result records, split at record boundaries; at least one
  std::uint64_t records_read = 0;  ///< data records (not the header, comments, empty lines)
  std::uint64_t records_returned = 0;
};

/// Runs a select job's query over the archive's bytes, one record at a time: the CSV reader
/// hands each record's fields to one prepared SQLite statement as parameters, and the rows
/// it returns are written with OutputSerialization. Memory grows with the result, never
/// with the archive. A part is closed once it holds `part_bytes` or more. `stop`, when set,
/// interrupts the query (select_error "Interrupted"). Throws select_error with S3 Select's
/// code for anything the query or the CSV gets wrong.
query_result run_query(std::string_view archive, const select_request& request, timestamp now,
                       std::size_t part_bytes, const std::atomic<bool>* stop = nullptr);

}  // namespace glacier::select
