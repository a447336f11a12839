#include "glacier/api/plain_job_parameters.hpp"

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace glacier::api {

namespace {

// Where a member's value goes. `integer_too` is Limit, which may also be a JSON integer
// (read_job_parameters_json keeps it as its decimal text).
struct member_slot {
  std::string_view key;
  std::optional<std::string> raw_job_parameters::*target;
  bool integer_too = false;
};

constexpr std::array top_members{
    member_slot{"Type", &raw_job_parameters::type},
    member_slot{"Tier", &raw_job_parameters::tier},
    member_slot{"ArchiveId", &raw_job_parameters::archive_id},
    member_slot{"Description", &raw_job_parameters::description},
    member_slot{"Format", &raw_job_parameters::format},
    member_slot{"RetrievalByteRange", &raw_job_parameters::retrieval_byte_range},
    member_slot{"SNSTopic", &raw_job_parameters::sns_topic},
};

constexpr std::array inventory_members{
    member_slot{"StartDate", &raw_job_parameters::start_date},
    member_slot{"EndDate", &raw_job_parameters::end_date},
    member_slot{"Limit", &raw_job_parameters::limit, true},
    member_slot{"Marker", &raw_job_parameters::marker},
};

template <std::size_t N>
const member_slot* find_slot(const std::array<member_slot, N>& slots, std::string_view key) {
  for (const auto& slot : slots) {
    if (slot.key == key) return &slot;
  }
  return nullptr;
}

// Depth 1 is the body's object, depth 2 InventoryRetrievalParameters; deeper values (and
// any value of an unknown member) are only walked over. Returning false stops the parse
// and sends the body to the DOM reader.
class plain_reader final : public nlohmann::json_sax<nlohmann::json> {
 public:
  explicit plain_reader(raw_job_parameters& out) : out_(out) {}

  bool null() override {
    // A null member reads as absent, as in read_job_parameters_json; a null
    // InventoryRetrievalParameters as no parameters at all.
    return depth_ > 0;
  }
  bool boolean(bool) override { return scalar_allowed(); }
  bool number_integer(number_integer_t value) override { return integer(std::to_string(value)); }
  bool number_unsigned(number_unsigned_t value) override { return integer(std::to_string(value)); }
  bool number_float(number_float_t, const string_t&) override { return scalar_allowed(); }
  bool binary(binary_t&) override { return false; }

  bool string(string_t& value) override {
    if (depth_ == 0) return false;
    if (slot_ != nullptr) out_.*(slot_->target) = std::move(value);
    return depth_ > 2 || slot_ != nullptr || !pending_inventory_;
  }

  bool start_object(std::size_t) override {
    if (depth_ == 1 && pending_inventory_) {
      out_.has_inventory_parameters = true;
      in_inventory_ = true;
    } else if (depth_ == 0 || depth_ > 2 || (slot_ == nullptr && !pending_inventory_)) {
      // The body itself, or a value nobody reads.
    } else {
      return false;  // a known string member holding an object
    }
    ++depth_;
    clear_member();
    return true;
  }

  bool key(string_t& name) override {
    clear_member();
    if (depth_ == 1) {
      if (name == "SelectParameters" || name == "OutputLocation") return false;
      pending_inventory_ = name == "InventoryRetrievalParameters";
      if (!pending_inventory_) slot_ = find_slot(top_members, name);
      // A repeated member: the DOM keeps the last value, whatever the earlier ones were.
      return first_time(top_seen_,
                        pending_inventory_ ? top_members.size() : slot_index(top_members));
    }
    if (depth_ == 2 && in_inventory_) {
      slot_ = find_slot(inventory_members, name);
      return first_time(inventory_seen_, slot_index(inventory_members));
    }
    return true;
  }

  bool end_object() override {
    --depth_;
    if (depth_ == 1) in_inventory_ = false;
    clear_member();
    return true;
  }

  bool start_array(std::size_t) override {
    if (depth_ == 0 || !value_ignored()) return false;
    ++depth_;
    clear_member();
    return true;
  }
  bool end_array() override {
    --depth_;
    clear_member();
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  static constexpr std::size_t not_read = 32;  // a member this reader skips

  // Below the InventoryRetrievalParameters object, or the value of a member nobody reads.
  bool value_ignored() const {
    if (depth_ > 2) return true;
    if (depth_ == 2 && !in_inventory_) return true;
    return slot_ == nullptr && !pending_inventory_;
  }
  // true and false, or a number where a string is read, are the DOM reader's
  // SerializationException to word.
  bool scalar_allowed() const { return depth_ > 0 && value_ignored(); }
  template <std::size_t N>
  std::size_t slot_index(const std::array<member_slot, N>& slots) const {
    return slot_ == nullptr ? not_read : static_cast<std::size_t>(slot_ - slots.data());
  }
  static bool first_time(std::uint32_t& seen, std::size_t index) {
    if (index == not_read) return true;
    const auto bit = std::uint32_t{1} << index;
    if ((seen & bit) != 0) return false;
    seen |= bit;
    return true;
  }
  bool integer(std::string text) {
    if (depth_ == 0) return false;
    if (value_ignored()) return true;
    if (slot_ == nullptr || !slot_->integer_too) return false;
    out_.*(slot_->target) = std::move(text);
    return true;
  }
  void clear_member() {
    slot_ = nullptr;
    pending_inventory_ = false;
  }

  raw_job_parameters& out_;
  int depth_ = 0;
  const member_slot* slot_ = nullptr;  // the known member whose value comes next
  bool pending_inventory_ = false;     // the next value is InventoryRetrievalParameters'
  bool in_inventory_ = false;
  std::uint32_t top_seen_ = 0;  // bit i: top_members[i]; bit 7: InventoryRetrievalParameters
  std::uint32_t inventory_seen_ = 0;
};

}  // namespace

bool read_plain_job_parameters(std::string_view body, raw_job_parameters& out) {
  plain_reader reader(out);
  return nlohmann::json::sax_parse(body.begin(), body.end(), &reader);
}

}  // namespace glacier::api
