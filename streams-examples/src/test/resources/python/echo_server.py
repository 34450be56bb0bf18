# The asyncio tutorial's echo server. Listens on 127.0.0.1 and the port given (0: any free one) and prints
# "PORT <n>" once it listens, so that a test knows where to connect.
import asyncio
import sys


async def handle_echo(reader, writer):
    while True:
        data = await reader.readline()
        if not data:
            break
        message = data.decode().strip()
        print(f"Получено: {message}", flush=True)
        writer.write(f"Эхо: {message}\n".encode())
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8888
    server = await asyncio.start_server(handle_echo, '127.0.0.1', port)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
