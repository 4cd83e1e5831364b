#!/usr/bin/python3
# Records a case file's expected replies from a real redis-server (run once by hand when cases change):
#   redis-server --port 6390 --save '' --appendonly no --daemonize yes
#   /usr/bin/python3 test/server/data-conformance-record.py 6390                                 # data-conformance.txt
#   /usr/bin/python3 test/server/data-conformance-record.py 6390 data-conformance-server.txt
# Every "=>" line is rewritten with the exact bytes Redis replied; "~>" lines are kept and checked.
# Each section runs on a fresh connection after FLUSHALL; "!new" opens another connection.
import json, re, socket, sys, time
from pathlib import Path


def tokens(line):
    out, i = [], 0
    while i < len(line):
        if line[i] == ' ':
            i += 1
        elif line[i] == '"':
            j = i + 1
            while line[j] != '"':
                j += 2 if line[j] == '\\' else 1
            out.append(json.loads(line[i:j + 1]).encode('latin1'))
            i = j + 1
        else:
            j = line.find(' ', i)
            j = len(line) if j < 0 else j
            out.append(line[i:j].encode('latin1'))
            i = j
    return out

class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(('127.0.0.1', port))
        self.buf = b''
    def send(self, argv):
        self.s.sendall(b'*%d\r\n' % len(argv) + b''.join(b'$%d\r\n%s\r\n' % (len(a), a) for a in argv))
        return self.reply()
    def line(self):
        while b'\r\n' not in self.buf[self.pos:]:
            self.buf += self.s.recv(65536)
        end = self.buf.index(b'\r\n', self.pos)
        line, self.pos = self.buf[self.pos:end + 2], end + 2
        return line
    def reply(self):
        self.buf, self.pos = b'', 0
        self.one()
        return self.buf[:self.pos]
    def one(self):
        line = self.line()
        kind, n = line[:1], line[1:-2]
        if kind in b'$=!' and int(n) >= 0:
            while len(self.buf) < self.pos + int(n) + 2:
                self.buf += self.s.recv(65536)
            self.pos += int(n) + 2
        elif kind in b'*~>' and int(n) > 0:
            for _ in range(int(n)): self.one()
        elif kind in b'%|':
            for _ in range(2 * int(n)): self.one()

def main(port, name):
    FILE = Path(__file__).with_name(name)
    c = Conn(port)
    out, lines, i = [], FILE.read_text('latin1').split('\n'), 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith('=>'):
            continue
        out.append(line)
        if line.startswith('## '):
            c = Conn(port); c.send([b'FLUSHALL'])
        elif line == '!new':
            c = Conn(port)
        elif line == '!resp3':
            c.send([b'HELLO', b'3'])
        elif line.startswith('!sleep '):
            time.sleep(int(line.split()[1]) / 1000)
        elif line.startswith('!list '):
            c.send([b'RPUSH', *tokens(line[6:]), b'x'])
        elif line.startswith('~>') or line.startswith('#') or line == '':
            continue
        else:
            reply = c.send(tokens(line)).decode('latin1')
            if i < len(lines) and lines[i].startswith('~>'):
                pattern = json.loads(lines[i][2:])
                if not re.fullmatch(pattern, reply, re.S):
                    sys.exit(f'{line!r}: {reply!r} does not match {pattern!r}')
            else:
                out.append('=> ' + json.dumps(reply))
    FILE.write_text('\n'.join(out), 'latin1')

main(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else 'data-conformance.txt')
