// Decodes a JWT's header and payload for assertions (no verification: tests that need it call
// crypto::verify_hs256 with the server's secret).
#pragma once

#include <boost/json/object.hpp>
#include <string>

namespace authd::test {

boost::json::object jwt_header(const std::string& token);
boost::json::object jwt_payload(const std::string& token);

}  // namespace authd::test
