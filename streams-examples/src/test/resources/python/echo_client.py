# The asyncio tutorial's echo client: sends three messages to 127.0.0.1:<port> one at a time, prints each answer,
# then closes and waits for the close.
import asyncio
import sys


async def tcp_echo_client(port):
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    for message in ['Привет', 'Как дела?', 'Пока']:
        writer.write(message.encode() + b'\n')
        await writer.drain()
        data = await reader.readline()
        if not data:
            sys.exit("the server closed the connection early")
        print(f'Сервер ответил: {data.decode().strip()}', flush=True)
    writer.close()
    await writer.wait_closed()


asyncio.run(tcp_echo_client(int(sys.argv[1])))
