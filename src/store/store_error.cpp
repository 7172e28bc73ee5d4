#include "store/store_error.hpp"

#include <string>

namespace authd::store {
namespace {

class StoreCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "authd.store"; }
  std::string message(int value) const override {
    switch (static_cast<StoreError>(value)) {
      case StoreError::email_taken:
        return "email already registered";
      case StoreError::id_taken:
        return "user id already taken";
      case StoreError::not_found:
        return "record not found";
      case StoreError::last_holder:
        return "the last active holder of a guarded role";
      case StoreError::unavailable:
        return "store unavailable";
      case StoreError::internal:
        return "store internal error";
    }
    return "unknown store error";
  }
};

}  // namespace

const boost::system::error_category& store_category() noexcept {
  static const StoreCategory category;
  return category;
}

}  // namespace authd::store
