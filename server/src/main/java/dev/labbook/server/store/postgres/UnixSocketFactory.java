package dev.labbook.server.store.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * Lets pgjdbc talk to PostgreSQL over a Unix-domain socket with the JDK's own support for them
 * (no native library): pgjdbc's {@code socketFactory} property names this class and
 * {@code socketFactoryArg} the socket file ({@code DIR/.s.PGSQL.PORT}); the host and port pgjdbc
 * asks for are ignored. Used for the embedded PostgreSQL's one-time setup only
 * ({@link EmbeddedPostgresDatabase}), so it keeps to what pgjdbc needs: reads block without a
 * timeout ({@code socketTimeout} is not honoured) and TCP options are ignored.
 */
public final class UnixSocketFactory extends SocketFactory {
    private final Path socketFile;

    /** @param socketFile the server's socket file; pgjdbc passes its {@code socketFactoryArg} */
    public UnixSocketFactory(String socketFile) {
        this.socketFile = Path.of(Objects.requireNonNull(socketFile, "socketFactoryArg (the socket file)"));
    }

    @Override
    public Socket createSocket() {
        return new UnixSocket(socketFile);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected();
    }

    private Socket connected() throws IOException {
        Socket socket = createSocket();
        socket.connect(null);
        return socket;
    }

    /** A {@link Socket} over a Unix-domain {@link SocketChannel} (whose own {@code socket()} is unsupported). */
    private static final class UnixSocket extends Socket {
        private final Path file;
        private volatile SocketChannel channel;
        private volatile boolean closed;
        private int soTimeout;

        UnixSocket(Path file) {
            this.file = file;
        }

        @Override
        public void connect(SocketAddress ignored) throws IOException {
            connect(ignored, 0);
        }

        @Override
        public synchronized void connect(SocketAddress ignored, int timeout) throws IOException {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (channel != null) {
                throw new SocketException("already connected");
            }
            SocketChannel opened = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                opened.connect(UnixDomainSocketAddress.of(file));
            } catch (IOException e) {
                opened.close();
                throw new IOException("cannot connect to " + file + ": " + e.getMessage(), e);
            }
            channel = opened;
        }

        private SocketChannel channel() throws SocketException {
            SocketChannel current = channel;
            if (current == null || closed) {
                throw new SocketException(closed ? "Socket is closed" : "Socket is not connected");
            }
            return current;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            SocketChannel in = channel();
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    Objects.checkFromIndexSize(off, len, b.length);
                    return len == 0 ? 0 : in.read(ByteBuffer.wrap(b, off, len)); // blocking: > 0 or -1
                }
            };
        }

        @Override
        public OutputStream getOutputStream() throws IOException {
            SocketChannel out = channel();
            return new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                }
            };
        }

        @Override
        public boolean isConnected() {
            return channel != null;
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public synchronized void close() throws IOException {
            closed = true;
            if (channel != null) {
                channel.close();
            }
        }

        // TCP options mean nothing here; pgjdbc sets and reads some of them.
        @Override
        public void setTcpNoDelay(boolean on) {
        }

        @Override
        public boolean getTcpNoDelay() {
            return true;
        }

        @Override
        public void setKeepAlive(boolean on) {
        }

        @Override
        public boolean getKeepAlive() {
            return false;
        }

        @Override
        public void setSendBufferSize(int size) {
        }

        @Override
        public int getSendBufferSize() {
            return 8192;
        }

        @Override
        public void setReceiveBufferSize(int size) {
        }

        @Override
        public int getReceiveBufferSize() {
            return 8192;
        }

        @Override
        public synchronized void setSoTimeout(int timeout) {
            soTimeout = timeout;
        }

        @Override
        public synchronized int getSoTimeout() {
            return soTimeout;
        }

        @Override
        public String toString() {
            return "UnixSocket[" + file + "]";
        }
    }
}
