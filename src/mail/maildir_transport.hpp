// Mail written to a Maildir folder (its new/ subfolder) instead of being sent: for development
// and tests, where any mail reader, or `cat`, shows what a user would receive. Each message is
// written under tmp/, flushed to disk, then renamed into new/ (the Maildir delivery protocol), so
// a reader never sees half a message and a message reported sent survives a crash.
#pragma once

#include <filesystem>

#include "mail/transport.hpp"

namespace authd::mail {

class MaildirTransport final : public Transport {
 public:
  // Creates the folder and its tmp/, new/ and cur/ when missing (mode 0700); throws
  // std::runtime_error when it cannot.
  explicit MaildirTransport(std::filesystem::path folder);

  Delivery send(std::string_view from, std::string_view to, std::string_view message) override;
  std::string describe() const override { return "maildir " + folder_.string(); }

 private:
  std::filesystem::path folder_;
};

}  // namespace authd::mail
