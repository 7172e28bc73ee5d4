// `authd users ...`: account administration offline, against the same store the servers use.
#pragma once

#include <string>

#include "cli/settings.hpp"

namespace authd::cli {

// `authd users unlock EMAIL`: forgets the account's account-wide failed-login counters, for an
// owner locked out by the consecutive-failure cap. Exit 0 when done, 2 for an address outside
// the grammar, 1 when the store fails.
int unlock_user(const GivenSettings& given, const std::string& email);

}  // namespace authd::cli
