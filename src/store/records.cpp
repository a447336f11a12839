#include "records.hpp"

#include <stdexcept>

namespace glacier::records {

namespace {

/// An enum stored as its number, refused when out of range: a damaged record must not
/// index past a table sized by the enum.
template <typename E>
E enum_from(const nlohmann::json& j, int count) {
  const int value = j.get<int>();
  if (value < 0 || value >= count) throw std::invalid_argument("an enum out of range");
  return static_cast<E>(value);
}

/// An id that names a blob file: refused when it could name a path outside blobs/.
std::string file_safe_id(const nlohmann::json& j) {
  auto id = j.get<std::string>();
  if (id.empty() || id.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
    throw std::invalid_argument("an id that cannot name a file");
  }
  return id;
}

template <typename T>
nlohmann::json opt(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

template <typename T>
std::optional<T> opt_from(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

nlohmann::json opt_time(const std::optional<time_point>& t) {
  return t ? time_json(*t) : nlohmann::json(nullptr);
}

std::optional<time_point> opt_time_from(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return time_from(*it);
}

}  // namespace

nlohmann::json scope_json(const scope& where) {
  return {where.account, where.region};
}

scope scope_from(const nlohmann::json& j) {
  return scope{j.at(0).get<std::string>(), j.at(1).get<std::string>()};
}

nlohmann::json time_json(time_point t) {
  return t.time_since_epoch().count();
}

time_point time_from(const nlohmann::json& j) {
  return time_point(duration(j.get<long long>()));
}

nlohmann::json archive_json(const archive& a) {
  return {{"id", a.id},
          {"description", a.description},
          {"created", time_json(a.creation_date)},
          {"size", a.size},
          {"hash", a.tree_hash}};
}

archive archive_from(const nlohmann::json& j) {
  archive a;
  a.id = file_safe_id(j.at("id"));
  a.description = j.at("description");
  a.creation_date = time_from(j.at("created"));
  a.size = j.at("size");
  a.tree_hash = j.at("hash");
  return a;
}

std::string archive_blob(const std::string& archive_id) {
  return "a-" + archive_id;
}

nlohmann::json job_json(const job& j) {
  const auto& p = j.parameters;
  nlohmann::json params{
      {"action", static_cast<int>(p.action)},
      {"description", opt(p.description)},
      {"archive_id", opt(p.archive_id)},
      {"sns_topic", opt(p.sns_topic)},
      {"range", p.range ? nlohmann::json{p.range->start, p.range->end} : nlohmann::json(nullptr)},
      {"tier", static_cast<int>(p.tier)},
      {"format", static_cast<int>(p.format)},
      {"inventory", nullptr},
      {"select", nullptr}};
  if (p.select) {
    // The request's two objects as DescribeJob echoes them: replay validates them again.
    params["select"] = {{"parameters", nlohmann::json::parse(p.select->select_parameters_json)},
                        {"location", nlohmann::json::parse(p.select->output_location_json)}};
  }
  if (p.inventory) {
    params["inventory"] = {
        {"start_date", opt(p.inventory->start_date)}, {"end_date", opt(p.inventory->end_date)},
        {"limit", opt(p.inventory->limit)},           {"marker", opt(p.inventory->marker)},
        {"start", time_json(p.inventory->start)},     {"end", time_json(p.inventory->end)},
        {"limit_value", p.inventory->limit_value}};
  }
  return {{"sequence", j.sequence},
          {"id", j.id},
          {"vault_name", j.vault_name},
          {"vault_arn", j.vault_arn},
          {"parameters", params},
          {"created", time_json(j.creation_date)},
          {"due", time_json(j.due)},
          {"status", static_cast<int>(j.status)},
          {"status_message", j.status_message},
          {"completed", opt_time(j.completion_date)},
          {"archive_size", j.archive_size},
          {"archive_hash", j.archive_tree_hash},
          {"archive_description", j.archive_description},
          {"retrieved", {j.retrieved.start, j.retrieved.end}},
          {"range_hash", opt(j.range_tree_hash)},
          {"output_offset", j.output_offset},
          {"output_length", j.output_length},
          {"inventory_size", opt(j.inventory_size)},
          {"next_marker", opt(j.next_inventory_marker)}};
}

job job_from(const nlohmann::json& r) {
  job j;
  const auto& params = r.at("parameters");
  auto& p = j.parameters;
  p.action = enum_from<job_action>(params.at("action"), 3);
  p.description = opt_from<std::string>(params, "description");
  if (const auto id = params.find("archive_id"); id != params.end() && !id->is_null()) {
    p.archive_id = file_safe_id(*id);
  }
  p.sns_topic = opt_from<std::string>(params, "sns_topic");
  if (!params.at("range").is_null()) {
    p.range = byte_range{params["range"].at(0), params["range"].at(1)};
  }
  p.tier = enum_from<retrieval_tier>(params.at("tier"), 3);
  p.format = enum_from<inventory_format>(params.at("format"), 2);
  if (const auto& inv = params.at("inventory"); !inv.is_null()) {
    inventory_selection s;
    s.start_date = opt_from<std::string>(inv, "start_date");
    s.end_date = opt_from<std::string>(inv, "end_date");
    s.limit = opt_from<std::string>(inv, "limit");
    s.marker = opt_from<std::string>(inv, "marker");
    s.start = time_from(inv.at("start"));
    s.end = time_from(inv.at("end"));
    s.limit_value = inv.at("limit_value");
    p.inventory = s;
  }
  if (const auto it = params.find("select"); it != params.end() && !it->is_null()) {
    p.select = std::make_shared<const select_request>(
        read_select_request(it->at("parameters"), it->at("location")));
  }
  j.sequence = r.at("sequence");
  j.id = file_safe_id(r.at("id"));
  j.vault_name = r.at("vault_name");
  j.vault_arn = r.at("vault_arn");
  j.creation_date = time_from(r.at("created"));
  j.due = time_from(r.at("due"));
  j.status = enum_from<job_status>(r.at("status"), 3);
  j.status_message = r.at("status_message");
  j.completion_date = opt_time_from(r, "completed");
  j.archive_size = r.at("archive_size");
  j.archive_tree_hash = r.at("archive_hash");
  j.archive_description = r.at("archive_description");
  j.retrieved = byte_range{r.at("retrieved").at(0), r.at("retrieved").at(1)};
  j.range_tree_hash = opt_from<std::string>(r, "range_hash");
  j.output_offset = r.at("output_offset");
  j.output_length = r.at("output_length");
  j.inventory_size = opt_from<std::uint64_t>(r, "inventory_size");
  j.next_inventory_marker = opt_from<std::string>(r, "next_marker");
  return j;
}

std::string inventory_blob(const std::string& job_id) {
  return "j-" + job_id;
}

nlohmann::json upload_json(const multipart_upload_info& u) {
  return {{"id", u.id},
          {"vault_arn", u.vault_arn},
          {"description", opt(u.description)},
          {"created", time_json(u.creation_date)},
          {"part_size", u.part_size}};
}

multipart_upload_info upload_from(const nlohmann::json& j) {
  multipart_upload_info u;
  u.id = file_safe_id(j.at("id"));
  u.vault_arn = j.at("vault_arn");
  u.description = opt_from<std::string>(j, "description");
  u.creation_date = time_from(j.at("created"));
  u.part_size = j.at("part_size");
  return u;
}

std::string part_blob(const std::string& upload_id, std::uint64_t start,
                      const std::string& hash_hex) {
  return "p-" + upload_id + "-" + std::to_string(start) + "-" + hash_hex;
}

nlohmann::json notifications_json(const std::optional<notification_config>& n) {
  if (!n) return nullptr;
  return {{"topic", n->sns_topic}, {"events", n->events}};
}

std::optional<notification_config> notifications_from(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  return notification_config{j.at("topic"), j.at("events")};
}

nlohmann::json lock_json(const std::optional<vault_lock>& l) {
  if (!l) return nullptr;
  return {{"policy", l->policy},
          {"id", l->lock_id},
          {"locked", l->locked},
          {"created", time_json(l->creation_date)},
          {"expires", opt_time(l->expiration_date)}};
}

std::optional<vault_lock> lock_from(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  return vault_lock{j.at("policy"), j.at("id"), j.at("locked"), time_from(j.at("created")),
                    opt_time_from(j, "expires")};
}

nlohmann::json policy_json(const retrieval_policy& p) {
  return {{"strategy", p.strategy}, {"bytes_per_hour", opt(p.bytes_per_hour)}};
}

retrieval_policy policy_from(const nlohmann::json& j) {
  return retrieval_policy{j.at("strategy"), opt_from<std::uint64_t>(j, "bytes_per_hour")};
}

nlohmann::json capacity_json(const provisioned_capacity& c) {
  return {
      {"id", c.id}, {"start", time_json(c.start_date)}, {"expires", time_json(c.expiration_date)}};
}

provisioned_capacity capacity_from(const nlohmann::json& j) {
  return provisioned_capacity{j.at("id"), time_from(j.at("start")), time_from(j.at("expires"))};
}

}  // namespace glacier::records
