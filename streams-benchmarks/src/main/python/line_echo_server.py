#!/usr/bin/env python3
"""Line-echo server with asyncio streams, for the load harness (see PERFORMANCE.md).

Usage: line_echo_server.py [--uvloop] [--port P]
Prints "PORT <port>" once it listens on 127.0.0.1, then serves until standard input ends or says QUIT.
With --uvloop it runs on uvloop (it must be installed; the harness only asks for it when `import uvloop` works).
"""
import asyncio
import sys


async def echo(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            writer.write(line)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(echo, "127.0.0.1", port, backlog=4096)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def watch_stdin():
        for line in sys.stdin:
            if line.strip() == "QUIT":
                break
        loop.call_soon_threadsafe(done.set_result, None)

    loop.run_in_executor(None, watch_stdin)
    await done
    server.close()


if __name__ == "__main__":
    args = sys.argv[1:]
    port = int(args[args.index("--port") + 1]) if "--port" in args else 0
    if "--uvloop" in args:
        import uvloop
        uvloop.install()
    asyncio.run(main(port))
