#pragma once

// The journal's record formats: the store's state changes as JSON, and back.
#include <nlohmann/json.hpp>

#include "glacier/store/model/archive.hpp"
#include "glacier/store/model/job.hpp"
#include "glacier/store/model/multipart_upload.hpp"
#include "glacier/store/model/scope.hpp"
#include "glacier/store/model/vault_config.hpp"

namespace glacier::records {

nlohmann::json scope_json(const scope& where);
scope scope_from(const nlohmann::json& j);

nlohmann::json time_json(time_point t);
time_point time_from(const nlohmann::json& j);

/// An archive's metadata (its bytes are the blob archive_blob(id)).
nlohmann::json archive_json(const archive& a);
archive archive_from(const nlohmann::json& j);
std::string archive_blob(const std::string& archive_id);

/// A job, whole (its inventory output is the blob inventory_blob(id)).
nlohmann::json job_json(const job& j);
job job_from(const nlohmann::json& j);
std::string inventory_blob(const std::string& job_id);

nlohmann::json upload_json(const multipart_upload_info& u);
multipart_upload_info upload_from(const nlohmann::json& j);
/// Named by content too, so a part uploaded again never overwrites the blob of a part
/// that is still recorded.
std::string part_blob(const std::string& upload_id, std::uint64_t start,
                      const std::string& hash_hex);

nlohmann::json notifications_json(const std::optional<notification_config>& n);
std::optional<notification_config> notifications_from(const nlohmann::json& j);
nlohmann::json lock_json(const std::optional<vault_lock>& l);
std::optional<vault_lock> lock_from(const nlohmann::json& j);
nlohmann::json policy_json(const retrieval_policy& p);
retrieval_policy policy_from(const nlohmann::json& j);
nlohmann::json capacity_json(const provisioned_capacity& c);
provisioned_capacity capacity_from(const nlohmann::json& j);

}  // namespace glacier::records
