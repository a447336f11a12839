#include "job_table.hpp"

#include <stdexcept>

namespace glacier::detail {

namespace {

bool selects_nothing(const inventory_selection& s) {
  return !s.start_date && !s.end_date && !s.limit && !s.marker && s.limit_value == 0 &&
         s.start == time_point{} && s.end == time_point{};
}

// `plain_selection`: the inventory selection, if any, selects nothing.
bool has_details(const job& j, bool plain_selection) {
  const auto& p = j.parameters;
  const bool selection = p.inventory && !plain_selection;
  return p.description || p.archive_id || p.sns_topic || p.range || selection ||
         j.status == job_status::failed || p.action != job_action::inventory_retrieval ||
         j.next_inventory_marker;
}

}  // namespace

stored_job copy_of(const stored_job& j) {
  stored_job c;
  c.creation_date = j.creation_date;
  c.due = j.due;
  c.completion_date = j.completion_date;
  c.action = j.action;
  c.tier = j.tier;
  c.format = j.format;
  c.status = j.status;
  c.plain_inventory_selection = j.plain_inventory_selection;
  c.output = j.output;
  if (j.details) c.details = std::make_unique<job_details>(*j.details);
  return c;
}

stored_job compact(const job& j, const id_generator& ids, bool derived_id) {
  stored_job s;
  s.creation_date = j.creation_date;
  s.due = j.due;
  s.completion_date = j.completion_date.value_or(time_point{});
  s.action = j.parameters.action;
  s.tier = j.parameters.tier;
  s.format = j.parameters.format;
  s.status = j.status;
  s.output = j.output;
  s.plain_inventory_selection = j.parameters.inventory && selects_nothing(*j.parameters.inventory);
  const bool derived = derived_id || ids.job_sequence(j.id) == j.sequence;
  if (!derived || has_details(j, s.plain_inventory_selection)) {
    auto& d = s.details_or_new();
    if (!derived) d.id = j.id;
    d.description = j.parameters.description;
    d.archive_id = j.parameters.archive_id;
    d.sns_topic = j.parameters.sns_topic;
    d.range = j.parameters.range;
    if (!s.plain_inventory_selection) d.inventory = j.parameters.inventory;
    if (j.status == job_status::failed) d.status_message = j.status_message;
    d.archive_size = j.archive_size;
    d.archive_tree_hash = j.archive_tree_hash;
    d.archive_description = j.archive_description;
    d.retrieved = j.retrieved;
    d.range_tree_hash = j.range_tree_hash;
    d.output_offset = j.output_offset;
    d.output_length = j.output_length;
    d.next_inventory_marker = j.next_inventory_marker;
    d.select = j.parameters.select;
    d.select_result = j.select_result;
  }
  return s;
}

std::string stored_job_id(std::uint64_t sequence, const stored_job& s, const id_generator& ids) {
  if (s.details && !s.details->id.empty()) return s.details->id;
  return ids.job_id(sequence);
}

void materialize_into(job& j, std::uint64_t sequence, const stored_job& s,
                      const std::string& vault_name, const std::string& vault_arn,
                      const id_generator& ids) {
  // Every field is assigned, from `none` when the job has no details: `j` may hold the
  // previous job of a page, and assigning reuses the capacity of its strings.
  static const job_details none{};
  const auto& d = s.details ? *s.details : none;
  j.sequence = sequence;
  if (!d.id.empty()) {
    j.id = d.id;
  } else {
    j.id = ids.job_id(sequence);
  }
  j.vault_name = vault_name;
  j.vault_arn = vault_arn;
  j.creation_date = s.creation_date;
  j.due = s.due;
  j.status = s.status;
  auto& p = j.parameters;
  p.action = s.action;
  p.tier = s.tier;
  p.format = s.format;
  p.description = d.description;
  p.archive_id = d.archive_id;
  p.sns_topic = d.sns_topic;
  p.range = d.range;
  p.inventory = d.inventory;
  if (s.plain_inventory_selection) p.inventory = inventory_selection{};
  p.select = d.select;
  j.completion_date = s.completed() ? std::optional(s.completion_date) : std::nullopt;
  switch (s.status) {
    case job_status::in_progress:
      j.status_message = "Operation in progress.";
      break;
    case job_status::succeeded:
      j.status_message = "Succeeded";
      break;
    case job_status::failed:
      j.status_message = d.status_message;
      break;
  }
  j.archive_size = d.archive_size;
  j.archive_tree_hash = d.archive_tree_hash;
  j.archive_description = d.archive_description;
  j.retrieved = d.retrieved;
  j.range_tree_hash = d.range_tree_hash;
  j.output = s.output;
  j.output_offset = d.output_offset;
  j.output_length = d.output_length;
  j.inventory_size = std::nullopt;
  j.next_inventory_marker = d.next_inventory_marker;
  j.select_result = d.select_result;
  // An inventory's output is its whole document, so its sizes need no storage of their own.
  if (s.action == job_action::inventory_retrieval && s.status == job_status::succeeded &&
      s.output) {
    j.inventory_size = s.output->size();
    j.output_offset = 0;
    j.output_length = s.output->size();
  }
}

job materialize(std::uint64_t sequence, const stored_job& s, const std::string& vault_name,
                const std::string& vault_arn, const id_generator& ids) {
  job j;
  materialize_into(j, sequence, s, vault_name, vault_arn, ids);
  return j;
}

stored_job* job_table::find(std::uint64_t sequence) {
  for (auto& t : tables_) {
    if (const auto it = t.find(sequence); it != t.end()) return &it->second;
  }
  return nullptr;
}

const stored_job* job_table::find(std::uint64_t sequence) const {
  return const_cast<job_table*>(this)->find(sequence);
}

void job_table::count(const stored_job& j, int delta) {
  counts_[static_cast<std::size_t>(j.status)][static_cast<std::size_t>(j.tier)] +=
      static_cast<std::uint64_t>(delta);
}

void job_table::insert(std::uint64_t sequence, stored_job j) {
  count(j, 1);
  auto& t = of(j.status);
  t.emplace_hint(t.end(), sequence, std::move(j));
}

void job_table::replace(std::uint64_t sequence, stored_job j) {
  erase(sequence);
  count(j, 1);
  of(j.status).insert_or_assign(sequence, std::move(j));
}

bool job_table::erase(std::uint64_t sequence) {
  for (auto& t : tables_) {
    if (const auto it = t.find(sequence); it != t.end()) {
      count(it->second, -1);
      t.erase(it);
      return true;
    }
  }
  return false;
}

stored_job& job_table::set_status(std::uint64_t sequence, job_status status) {
  for (auto& t : tables_) {
    auto node = t.extract(sequence);
    if (node.empty()) continue;
    count(node.mapped(), -1);
    node.mapped().status = status;
    count(node.mapped(), 1);
    // Node handles move the job between maps without copying or reallocating it.
    return of(status).insert(std::move(node)).position->second;
  }
  throw std::logic_error("job_table::set_status: no job " + std::to_string(sequence));
}

std::size_t job_table::size() const {
  return tables_[0].size() + tables_[1].size() + tables_[2].size();
}

}  // namespace glacier::detail
