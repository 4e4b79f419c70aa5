package dev.trellis.finetune.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a hostile or broken client sends: paths Jetty rejects, bodies that trickle in, ports already taken. */
class ModelServerHardeningTest {

    /** Sends raw bytes and reads the whole answer (the server closes), or what came within the timeout. */
    private static String raw(ModelServer server, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonNode errorOf(String response, int status) throws IOException {
        assertThat(response).as(response).startsWith("HTTP/1.1 " + status);
        assertThat(response.toLowerCase()).as(response).contains("content-type: application/json");
        JsonNode error = ModelServerHttpTest.JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4)).get("error");
        assertThat(error).as(response).isNotNull();
        assertThat(error.fieldNames()).toIterable().containsExactlyInAnyOrder("message", "type", "param", "code");
        return error;
    }

    @Test
    void pathsJettyRejectsAnswerInOpenAiJsonNotHtml() throws Exception {
        try (ModelServer server = ModelServerHttpTest.echo(new EchoModel()).build().start()) {
            for (String path : List.of("/../x", "/%2e%2e/x", "/v1/../../etc/passwd")) {
                String response = raw(server, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                JsonNode error = errorOf(response, 400);
                assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
                assertThat(response).doesNotContain("<html");
            }
            // a request line Jetty cannot parse at all
            JsonNode garbled = errorOf(raw(server, "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n"), 400);
            assertThat(garbled.get("message").asText()).isNotBlank();
            // and the routes still answer
            assertThat(ModelServerHttpTest.get(server, "/health").statusCode()).isEqualTo(200);
            errorOf(raw(server, "GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), 404);
        }
    }

    @Test
    void slowBodiesAreCutOffInTimeAndCannotStallTheServer() throws Exception {
        Duration bodyTimeout = Duration.ofSeconds(1);
        try (ModelServer server = ModelServerHttpTest.echo(new EchoModel()).bodyTimeout(bodyTimeout).maxBodyReaders(4)
                .build().start()) {
            List<Socket> slow = new ArrayList<>();
            try {
                long start = System.nanoTime();
                for (int i = 0; i < 60; i++) {
                    Socket socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    // half a body, then silence
                    out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 200\r\n\r\n{\"model\":\"echo\",\"messages\":[").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    slow.add(socket);
                }
                // the server keeps answering others while the slow bodies hang
                long askedAt = System.nanoTime();
                assertThat(ModelServerHttpTest.get(server, "/health").statusCode()).isEqualTo(200);
                assertThat(ModelServerHttpTest.get(server, "/v1/models").statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - askedAt)).isLessThan(Duration.ofSeconds(2));

                // every slow client is answered in OpenAI's shape: 408 after the body timeout, or 503 at once
                int timedOut = 0;
                int refused = 0;
                for (Socket socket : slow) {
                    String response = readAll(socket.getInputStream());
                    if (response.startsWith("HTTP/1.1 408")) {
                        assertThat(errorOf(response, 408).get("code").asText()).isEqualTo("request_timeout");
                        timedOut++;
                    } else {
                        assertThat(errorOf(response, 503).get("code").asText()).isEqualTo("too_many_uploads");
                        assertThat(response).contains("Retry-After: 1");
                        refused++;
                    }
                }
                assertThat(timedOut).isBetween(1, 60);
                assertThat(timedOut + refused).isEqualTo(60);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(bodyTimeout.plusSeconds(8));
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
            // and once they are gone, a whole request goes through
            assertThat(ModelServerHttpTest.post(server, "/v1/chat/completions", ModelServerHttpTest.HELLO).statusCode())
                    .isEqualTo(200);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            for (int n; (n = in.read(buffer)) != -1; ) {
                bytes.write(buffer, 0, n);
                String text = bytes.toString(StandardCharsets.UTF_8);
                int head = text.indexOf("\r\n\r\n");
                if (head >= 0) {
                    int length = contentLength(text.substring(0, head));
                    if (length >= 0 && bytes.size() >= head + 4 + length) {
                        break;
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer within 10 s; got: " + bytes.toString(StandardCharsets.UTF_8), e);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        return -1;
    }

    @Test
    void aPortInUseAndAForeignAddressNameTheFlagToChange() throws Exception {
        try (ModelServer first = ModelServerHttpTest.echo(new EchoModel()).build().start()) {
            ModelServer second = ModelServerHttpTest.echo(new EchoModel()).port(first.port()).build();
            assertThatThrownBy(second::start).isInstanceOf(ServerStartException.class)
                    .hasMessageContaining("Cannot listen on 127.0.0.1:" + first.port()).hasMessageContaining("--port");
        }
        // TEST-NET-1 (RFC 5737) is never an address of this machine
        ModelServer foreign = ModelServerHttpTest.echo(new EchoModel()).host("192.0.2.1").apiKey("k").build();
        assertThatThrownBy(foreign::start).isInstanceOf(ServerStartException.class).hasMessageContaining("--host");
        ModelServer unresolvable = ModelServerHttpTest.echo(new EchoModel()).host("no-such-host.invalid").apiKey("k").build();
        assertThatThrownBy(unresolvable::start).isInstanceOf(ServerStartException.class).hasMessageContaining("--host");
    }
}
