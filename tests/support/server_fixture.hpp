// A GoogleTest fixture that shares one deployment (see deployment.hpp) across the tests of a
// suite. A deployment that fails to start fails every test of the suite (GoogleTest would
// otherwise report an exception in SetUpTestSuite as skipped tests, which CTest counts as passed).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/deployment.hpp"
#include "support/http_client.hpp"

namespace authd::test {

struct DefaultServer {
  static std::vector<std::string> args() { return {}; }
};

template <class Server = DefaultServer>
class ServerFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      server_ = std::make_unique<Deployment>(Deployment::kind_from_environment(), Server::args());
    } catch (const std::exception& e) {
      start_error_ = e.what();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(server_) << "the deployment did not start: " << start_error_;
    client_.emplace(server_->port());
  }

  Deployment& server() { return *server_; }
  HttpClient& client() { return *client_; }

 private:
  static inline std::unique_ptr<Deployment> server_;
  static inline std::string start_error_;
  std::optional<HttpClient> client_;
};

}  // namespace authd::test
