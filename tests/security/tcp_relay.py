"""A TCP relay in front of the suite's PostgreSQL that a test can cut.

The tests run in parallel against ONE PostgreSQL (two xdist workers in CI), so
a test must never stop or stall that server itself: a SIGSTOP of the
postmaster made every other worker's new connection hang meanwhile, and a
/healthz that expected 200 there (its probe opens a fresh connection with a
2 s timeout) answered 503. A relay gives one test a database of its own to
lose, over a real network path, and leaves everyone else's alone.
"""

import socket
import threading


class Relay:
    """Forwards TCP to 127.0.0.1:target_port.

    cut(): drops every open connection and refuses new ones (a database restart,
    a network partition). restore(): forwards again. A stalled server is a
    real one stopped with SIGSTOP (own_postgres.py).
    """

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.mode = "forward"
        self.open = []
        self.lock = threading.Lock()  # mode and open change together: no pair escapes a cut
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            with self.lock:
                if self.mode == "cut":
                    client.close()
                    continue
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
                self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        with self.lock:
            self.mode = "cut"
            for sock in self.open:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # wakes both pipes; they end the pair
                except OSError:
                    pass
            self.open = []

    def restore(self):
        with self.lock:
            self.mode = "forward"
