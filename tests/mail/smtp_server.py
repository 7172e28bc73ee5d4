"""A real SMTP server for the mail tests: aiosmtpd (Debian's python3-aiosmtpd), writing what it
accepts to a Maildir as a mail server would, with the faults the tests need on request.

  /usr/bin/python3 smtp_server.py --maildir DIR --port-file FILE [--port N]
      [--tls-cert PEM --tls-key KEY]   STARTTLS offered and required before MAIL
      [--auth USER:PASSWORD]           AUTH required (after TLS)
      [--defer-first N]                answer the first N messages 451 4.3.0, then accept
      [--reject ADDRESS]...            answer RCPT TO this address 550 5.1.1
      [--hold-first SECONDS]           store the first message, then wait this long before
                                       answering (a sender killed meanwhile never hears the 250)

Writes the port it listens on to FILE once it accepts connections (port 0: any free port), and
runs until SIGTERM. Run it with /usr/bin/python3: Debian's modules are not on other Pythons'
path.
"""
import argparse
import asyncio
import os
import signal
import ssl

from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler(Mailbox):
    def __init__(self, maildir, defer_first, rejected, hold_first):
        super().__init__(maildir)
        self.deferred_left = defer_first
        self.hold_left = hold_first
        self.rejected = {address.lower() for address in rejected}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.deferred_left > 0:
            self.deferred_left -= 1
            return "451 4.3.0 Try again later"
        answer = await super().handle_DATA(server, session, envelope)
        if self.hold_left > 0:
            hold, self.hold_left = self.hold_left, 0
            await asyncio.sleep(hold)
        return answer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth")
    parser.add_argument("--defer-first", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--hold-first", type=float, default=0)
    args = parser.parse_args()

    for sub in ("tmp", "new", "cur"):
        os.makedirs(os.path.join(args.maildir, sub), exist_ok=True)
    handler = Handler(args.maildir, args.defer_first, args.reject, args.hold_first)
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    options = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

        options = dict(authenticator=authenticator, auth_required=True,
                       auth_require_tls=tls is not None)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return SMTP(handler, hostname="localhost", tls_context=tls,
                    require_starttls=tls is not None, **options)

    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", args.port))
    port = server.sockets[0].getsockname()[1]
    with open(args.port_file + ".tmp", "w") as out:
        out.write(str(port))
    os.rename(args.port_file + ".tmp", args.port_file)
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    server.close()


if __name__ == "__main__":
    main()
