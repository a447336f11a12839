#include "glacier/api/admin.hpp"

#include <charconv>
#include <limits>

#include "glacier/api/job_json.hpp"
#include "glacier/api/json_body.hpp"
#include "glacier/api/responses.hpp"
#include "glacier/core/error.hpp"
#include "glacier/core/faults.hpp"
#include "glacier/core/metrics.hpp"
#include "glacier/jobs/notifier.hpp"
#include "glacier/jobs/scheduler.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

namespace {

template <typename T>
nlohmann::ordered_json or_null(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

// A select job's output: the bucket and path, what became of its delivery, its objects.
nlohmann::ordered_json select_output_json(const job& j) {
  const auto& location = j.parameters.select->location;
  nlohmann::ordered_json out;
  out["job_id"] = j.id;
  out["status_code"] = status_name(j.status);
  out["bucket"] = location.bucket;
  out["output_path"] = j.output_path();
  const auto& result = j.select_result;
  out["delivery"] =
      result ? nlohmann::ordered_json(result->delivery) : nlohmann::ordered_json("pending");
  out["delivery_error"] = result && !result->delivery_error.empty()
                              ? nlohmann::ordered_json(result->delivery_error)
                              : nlohmann::ordered_json(nullptr);
  out["attempts"] = result ? result->attempts : 0;
  out["objects"] = nlohmann::ordered_json::array();
  if (result) {
    for (const auto& o : result->objects) {
      out["objects"].push_back({{"key", j.output_path() + o.key},
                                {"size", o.body->size()},
                                {"content_type", o.content_type}});
    }
  }
  return out;
}

// The policies requests to the vault are evaluated against now: a lock InProgress or
// Locked (an InProgress lock past its expiration is gone), the access policy, as JSON
// documents rather than the strings they are stored as.
nlohmann::ordered_json effective_policies_json(const vault_snapshot& v, time_point now,
                                               bool enforced) {
  const auto document = [](const std::string& text) {
    auto parsed = nlohmann::ordered_json::parse(text, nullptr, false);
    return parsed.is_discarded() ? nlohmann::ordered_json(text) : parsed;
  };
  const bool lock_in_force = v.lock && v.lock->in_force(now);
  nlohmann::ordered_json j;
  j["enforced"] = enforced;
  j["vault_lock_policy"] = lock_in_force ? document(v.lock->policy) : nullptr;
  j["vault_access_policy"] = v.access_policy ? document(*v.access_policy) : nullptr;
  return j;
}

nlohmann::ordered_json vault_state_json(const vault_snapshot& v, time_point now, bool enforced) {
  nlohmann::ordered_json j;
  j["name"] = v.info.name;
  j["arn"] = v.info.arn;
  j["creation_date"] = format_iso8601(v.info.creation_date);
  j["number_of_archives"] = v.info.number_of_archives;
  j["size_in_bytes"] = v.info.size_in_bytes;
  j["archives"] = nlohmann::ordered_json::array();
  for (const auto& a : v.archives) {
    j["archives"].push_back({{"archive_id", a.id},
                             {"description", a.description},
                             {"creation_date", format_iso8601(a.creation_date)},
                             {"size", a.size},
                             {"sha256_tree_hash", a.tree_hash},
                             {"damaged", a.damaged}});
  }
  j["jobs"] = nlohmann::ordered_json::array();
  j["select_outputs"] = nlohmann::ordered_json::array();
  // The one job writer there is; the state view is rare enough to parse what it writes.
  for (const auto& job : v.jobs) {
    auto described = nlohmann::ordered_json::parse(job_description_body(job));
    // Not part of DescribeJob: when the job completes (or completed) on the mock clock.
    described["due_date"] = format_iso8601(job.due);
    j["jobs"].push_back(std::move(described));
    if (job.parameters.select) j["select_outputs"].push_back(select_output_json(job));
  }
  j["number_of_jobs"] = v.job_count;
  j["number_of_multipart_uploads"] = v.upload_count;
  j["multipart_uploads"] = nlohmann::ordered_json::array();
  for (const auto& u : v.uploads) {
    j["multipart_uploads"].push_back({{"upload_id", u.id},
                                      {"description", or_null(u.description)},
                                      {"creation_date", format_iso8601(u.creation_date)},
                                      {"part_size", u.part_size}});
  }
  j["access_policy"] = or_null(v.access_policy);
  j["notifications"] = v.notifications
                           ? nlohmann::ordered_json{{"sns_topic", v.notifications->sns_topic},
                                                    {"events", v.notifications->events}}
                           : nlohmann::ordered_json(nullptr);
  // A lapsed InProgress lock is gone, as GetVaultLock says (ResourceNotFoundException),
  // though the store removes it only when the vault's lock is next touched.
  j["lock"] = v.lock && v.lock->in_force(now)
                  ? nlohmann::ordered_json{{"state", v.lock->locked ? "Locked" : "InProgress"},
                                           {"lock_id", v.lock->lock_id},
                                           {"policy", v.lock->policy}}
                  : nlohmann::ordered_json(nullptr);
  j["tags"] = v.tags;
  j["effective_policies"] = effective_policies_json(v, now, enforced);
  return j;
}

nlohmann::ordered_json clock_json(const call& c) {
  const auto now = c.services.clk.now();
  const auto wall = std::chrono::time_point_cast<duration>(std::chrono::system_clock::now());
  nlohmann::ordered_json j;
  j["now"] = format_iso8601(now);
  j["offset_seconds"] = static_cast<double>((now - wall).count()) / 1000.0;
  return j;
}

nlohmann::json optional_body(const call& c, std::string_view what) {
  if (c.request.body.empty()) return nlohmann::json::object();
  return parse_json_object(c.request.body, what);
}

std::uint64_t job_sequence(const call& c) {
  const auto& id = c.path("job_id");
  const auto sequence = c.services.store.find_job(id);
  if (!sequence) throw error(error_code::resource_not_found, "The job ID was not found: " + id);
  return *sequence;
}

http::response job_now(const call& c, bool completed) {
  const auto& id = c.path("job_id");
  if (!completed) {
    throw error(error_code::invalid_parameter_value, "The job is not in progress: " + id);
  }
  return json_response(200, {{"job_id", id}});
}

nlohmann::ordered_json fault_json(const fault_rule& rule) {
  nlohmann::ordered_json j;
  j["id"] = rule.id;
  j["operation"] = rule.operation;
  j["error"] = rule.error ? nlohmann::ordered_json(map_error(*rule.error).code)
                          : nlohmann::ordered_json(nullptr);
  j["message"] = rule.message;
  j["latency_ms"] = rule.latency.count();
  j["remaining"] = or_null(rule.remaining);
  j["probability"] = rule.probability;
  j["hits"] = rule.hits;
  return j;
}

// The `limit` query parameter of the admin listings: absent means no limit.
std::size_t item_limit(const call& c) {
  constexpr std::uint64_t max = 1'000'000'000;
  const auto text = c.query("limit");
  if (!text) return std::numeric_limits<std::size_t>::max();
  std::uint64_t value = 0;
  const auto* end = text->data() + text->size();
  const auto parsed = std::from_chars(text->data(), end, value);
  if (text->empty() || parsed.ec != std::errc() || parsed.ptr != end || value > max) {
    throw error(error_code::invalid_parameter_value,
                "Invalid limit: " + *text + ". The limit must be an integer from 0 to " +
                    std::to_string(max));
  }
  return static_cast<std::size_t>(value);
}

[[noreturn]] void bad_fault(const std::string& why) {
  throw error(error_code::invalid_parameter_value, "Invalid fault: " + why);
}

}  // namespace

http::response health(call& c) {
  nlohmann::ordered_json body;
  body["status"] = "ok";
  body["version"] = GLACIER_MOCK_VERSION;
  body["time"] = format_iso8601(c.services.clk.now());
  return json_response(200, body);
}

http::response reset(call& c) {
  c.services.store.reset();
  c.services.notifier.clear();
  c.services.faults.clear();
  return json_response(200, {{"status", "reset"}});
}

http::response state(call& c) {
  const auto now = c.services.clk.now();
  nlohmann::ordered_json body;
  body["clock"] = clock_json(c);
  body["accounts"] = nlohmann::ordered_json::array();
  const auto limit = item_limit(c);
  for (const auto& s : c.services.store.snapshot(c.query("account"), c.query("vault"), limit)) {
    nlohmann::ordered_json account;
    account["account"] = s.scope.account;
    account["region"] = s.scope.region;
    account["data_retrieval_policy"] = {{"strategy", s.policy.strategy},
                                        {"bytes_per_hour", or_null(s.policy.bytes_per_hour)}};
    account["provisioned_capacity"] = nlohmann::ordered_json::array();
    for (const auto& unit : s.capacity) {
      account["provisioned_capacity"].push_back(
          {{"capacity_id", unit.id},
           {"start_date", format_iso8601(unit.start_date)},
           {"expiration_date", format_iso8601(unit.expiration_date)}});
    }
    account["vaults"] = nlohmann::ordered_json::array();
    for (const auto& v : s.vaults) {
      account["vaults"].push_back(vault_state_json(v, now, c.services.cfg.enforce_policies));
    }
    body["accounts"].push_back(std::move(account));
  }
  return json_response(200, body);
}

http::response get_clock(call& c) {
  return json_response(200, clock_json(c));
}

http::response advance_clock(call& c) {
  const auto body = parse_json_object(c.request.body, "{\"seconds\": N}");
  const auto seconds = body.find("seconds");
  if (seconds == body.end() || !seconds->is_number() || seconds->get<double>() < 0 ||
      seconds->get<double>() > 10.0 * 365 * 24 * 3600) {
    throw error(error_code::invalid_parameter_value,
                "Invalid seconds: expected a number of seconds from 0 to ten years");
  }
  c.services.clk.advance(duration(static_cast<long long>(seconds->get<double>() * 1000.0)));
  const auto wall = std::chrono::time_point_cast<duration>(std::chrono::system_clock::now());
  c.services.store.note_clock_offset(c.services.clk.now() - wall);
  // Due jobs complete before this answer, in due order; the thread then sleeps anew.
  const auto completed = c.services.scheduler.run_due();
  c.services.scheduler.clock_changed();
  auto j = clock_json(c);
  j["completed_jobs"] = completed;
  return json_response(200, j);
}

http::response complete_job_now(call& c) {
  const auto sequence = job_sequence(c);
  return job_now(c, c.services.scheduler.complete_now(sequence));
}

http::response fail_job_now(call& c) {
  const auto sequence = job_sequence(c);
  const auto body = optional_body(c, "{\"message\": \"...\"}");
  const auto message =
      optional_string_member(body, "message").value_or("The job was failed through the admin API");
  return job_now(c, c.services.scheduler.fail_now(sequence, message));
}

http::response select_output(call& c) {
  const auto& id = c.path("job_id");
  const auto j = c.services.store.job_by_sequence(job_sequence(c));
  if (!j) throw error(error_code::resource_not_found, "The job ID was not found: " + id);
  if (!j->parameters.select) {
    throw error(error_code::invalid_parameter_value, "The job is not a select job: " + id);
  }
  const auto key = c.query("key");
  if (!key) return json_response(200, select_output_json(*j));
  // The key as listed (<output path><name>) or relative to the output path.
  const auto path = j->output_path();
  if (j->select_result) {
    for (const auto& o : j->select_result->objects) {
      if (*key == path + o.key || *key == o.key) {
        http::response r;
        r.headers["Content-Type"] = o.content_type;
        r.shared_body = o.body;
        r.shared_offset = 0;
        r.shared_length = o.body->size();
        return r;
      }
    }
  }
  throw error(error_code::resource_not_found,
              "The select job has no output object " + *key + ": " + id);
}

http::response list_notifications(call& c) {
  nlohmann::ordered_json body;
  const auto limit = item_limit(c);
  body["total"] = c.services.notifier.size();
  body["notifications"] = nlohmann::ordered_json::array();
  for (const auto& n : c.services.notifier.records(limit)) {
    nlohmann::ordered_json j;
    j["id"] = n.id;
    j["topic_arn"] = n.topic_arn;
    j["job_id"] = n.job_id;
    j["status"] = n.status;
    j["attempts"] = n.attempts;
    j["error"] =
        n.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(n.error);
    j["sns_message_id"] = n.sns_message_id.empty() ? nlohmann::ordered_json(nullptr)
                                                   : nlohmann::ordered_json(n.sns_message_id);
    j["created"] = format_iso8601(n.created);
    j["message"] = nlohmann::ordered_json::parse(n.message, nullptr, false);
    body["notifications"].push_back(std::move(j));
  }
  return json_response(200, body);
}

http::response add_fault(call& c) {
  const auto body = parse_json_object(c.request.body, "a fault rule");
  fault_rule rule;
  rule.operation = optional_string_member(body, "operation").value_or("*");
  if (const auto code = optional_string_member(body, "error")) {
    error_code parsed{};
    if (!parse_error_code(*code, parsed)) bad_fault("unknown error code " + *code);
    rule.error = parsed;
  }
  rule.message = optional_string_member(body, "message").value_or("");
  if (const auto it = body.find("latency_ms"); it != body.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() > 600'000) {
      bad_fault("latency_ms must be an integer from 0 to 600000");
    }
    rule.latency = duration(it->get<long long>());
  }
  if (const auto it = body.find("count"); it != body.end() && !it->is_null()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0) {
      bad_fault("count must be a positive integer");
    }
    rule.remaining = it->get<std::uint64_t>();
  }
  if (const auto it = body.find("probability"); it != body.end()) {
    if (!it->is_number() || it->get<double>() <= 0.0 || it->get<double>() > 1.0) {
      bad_fault("probability must be a number above 0 and at most 1");
    }
    rule.probability = it->get<double>();
  }
  if (!rule.error && rule.latency.count() == 0) bad_fault("give an error, a latency_ms or both");
  return json_response(201, fault_json(c.services.faults.add(std::move(rule))));
}

http::response metrics(call& c) {
  auto text = c.services.metrics.exposition();
  const auto stats = c.services.store.stats();
  text += "# HELP glacier_jobs Jobs held, by status and tier.\n# TYPE glacier_jobs gauge\n";
  for (const auto& [key, count] : stats.jobs) {
    text += "glacier_jobs{status=\"" + std::string(status_name(key.first)) + "\",tier=\"" +
            std::string(tier_name(key.second)) + "\"} " + std::to_string(count) + "\n";
  }
  const std::pair<const char*, std::uint64_t> gauges[] = {
      {"glacier_vaults", stats.vaults},
      {"glacier_archives", stats.archives},
      {"glacier_archive_bytes", stats.archive_bytes},
      {"glacier_multipart_uploads", stats.uploads},
  };
  for (const auto& [name, value] : gauges) {
    text += std::string("# TYPE ") + name + " gauge\n" + name + " " + std::to_string(value) + "\n";
  }
  if (stats.on_disk) {
    // --data-dir: what the disk holds, what the live state needs of it, and refusals.
    const std::pair<const char*, std::uint64_t> disk[] = {
        {"glacier_data_dir_bytes", stats.journal_bytes + stats.blob_bytes},
        {"glacier_journal_bytes", stats.journal_bytes},
        {"glacier_live_bytes", stats.archive_bytes},
    };
    for (const auto& [name, value] : disk) {
      text +=
          std::string("# TYPE ") + name + " gauge\n" + name + " " + std::to_string(value) + "\n";
    }
    text += "# HELP glacier_failed_writes_total Writes the disk refused (each answered 500).\n";
    text += "# TYPE glacier_failed_writes_total counter\nglacier_failed_writes_total " +
            std::to_string(stats.failed_writes) + "\n";
  }
  text += "# HELP glacier_notifications Job notifications, by delivery status.\n";
  text += "# TYPE glacier_notifications gauge\n";
  for (const auto& [status, count] : c.services.notifier.counts_by_status()) {
    text += "glacier_notifications{status=\"" + prometheus_label(status) + "\"} " +
            std::to_string(count) + "\n";
  }
  http::response r;
  r.headers["Content-Type"] = "text/plain; version=0.0.4";
  r.body = std::move(text);
  return r;
}

http::response list_faults(call& c) {
  nlohmann::ordered_json body;
  body["faults"] = nlohmann::ordered_json::array();
  for (const auto& rule : c.services.faults.rules()) body["faults"].push_back(fault_json(rule));
  return json_response(200, body);
}

http::response clear_faults(call& c) {
  c.services.faults.clear();
  return empty_response(204);
}

http::response remove_fault(call& c) {
  const auto& text = c.path("fault_id");
  std::uint64_t id = 0;
  const auto* end = text.data() + text.size();
  const auto parsed = std::from_chars(text.data(), end, id);
  const bool number = !text.empty() && parsed.ec == std::errc() && parsed.ptr == end;
  if (!number || !c.services.faults.remove(id)) {
    throw error(error_code::resource_not_found, "The fault rule was not found: " + text);
  }
  return empty_response(204);
}

http::response download_archive(call& c) {
  const auto& id = c.path("archive_id");
  const auto found = c.services.store.find_archive(id);
  if (!found) throw error(error_code::resource_not_found, "The archive ID was not found: " + id);
  if (found->damaged) {
    throw error(error_code::service_unavailable,
                "The archive's stored bytes are damaged and are never served: " + id);
  }
  http::response r;
  r.headers["Content-Type"] = "application/octet-stream";
  // Archive ids are URL-safe base64, so the id is a safe file name as it is.
  r.headers["Content-Disposition"] = "attachment; filename=\"" + id + "\"";
  r.headers["x-amz-sha256-tree-hash"] = found->tree_hash;
  r.shared_body = found->data;
  r.shared_offset = 0;
  r.shared_length = found->data ? found->data->size() : 0;
  return r;
}

const route_table& admin_routes() {
  static const route_table table({
      {"GET", "/_mock/health", "", "AdminHealth", health},
      {"POST", "/_mock/reset", "", "AdminReset", reset},
      {"GET", "/_mock/state", "", "AdminState", state},
      {"GET", "/_mock/clock", "", "AdminGetClock", get_clock},
      {"POST", "/_mock/clock/advance", "", "AdminAdvanceClock", advance_clock},
      {"POST", "/_mock/jobs/{job_id}/complete", "", "AdminCompleteJob", complete_job_now},
      {"POST", "/_mock/jobs/{job_id}/fail", "", "AdminFailJob", fail_job_now},
      {"GET", "/_mock/jobs/{job_id}/select-output", "", "AdminSelectOutput", select_output},
      {"GET", "/_mock/notifications", "", "AdminNotifications", list_notifications},
      {"POST", "/_mock/faults", "", "AdminAddFault", add_fault},
      {"GET", "/_mock/faults", "", "AdminListFaults", list_faults},
      {"GET", "/_mock/metrics", "", "AdminMetrics", metrics},
      {"DELETE", "/_mock/faults", "", "AdminClearFaults", clear_faults},
      {"DELETE", "/_mock/faults/{fault_id}", "", "AdminRemoveFault", remove_fault},
      {"GET", "/_mock/archives/{archive_id}", "", "AdminDownloadArchive", download_archive},
      {"GET", "/_mock/ui", "", "AdminConsole", console_page},
  });
  return table;
}

}  // namespace glacier::api
