#include "support/jwt_claims.hpp"

#include <boost/json/parse.hpp>
#include <stdexcept>

#include "crypto/base64url.hpp"

namespace authd::test {
namespace {

boost::json::object segment(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  const std::size_t end = token.find('.', start);
  const auto decoded = crypto::base64url_decode(token.substr(start, end - start));
  if (!decoded) throw std::runtime_error("token segment is not base64url: " + token);
  return boost::json::parse(*decoded).as_object();
}

}  // namespace

boost::json::object jwt_header(const std::string& token) {
  return segment(token, 0);
}
boost::json::object jwt_payload(const std::string& token) {
  return segment(token, 1);
}

}  // namespace authd::test
