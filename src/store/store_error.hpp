// Expected store failures as error codes, so callers branch on values instead of exceptions.
#pragma once

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace authd::store {

enum class StoreError {
  email_taken = 1,  // unique constraint on the canonical email
  not_found,        // the row an update targets does not exist
  id_taken,         // an imported account's id is another account's
  last_holder,      // the change would leave a guarded role without an active holder
  unavailable,      // the backend cannot be reached or is busy past its timeout
  internal,         // anything else the backend reported; details go to the log only
};

const boost::system::error_category& store_category() noexcept;

inline boost::system::error_code make_error_code(StoreError e) noexcept {
  return {static_cast<int>(e), store_category()};
}

}  // namespace authd::store

template <>
struct boost::system::is_error_code_enum<authd::store::StoreError> : std::true_type {};
