package dev.trellis.finetune.serve;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Jetty's own errors (a request it rejects before any route sees it, such as {@code /../x}, a malformed
 * request line, or a request body that arrives too slowly) in OpenAI's {@code {"error": {...}}} shape
 * instead of Jetty's HTML page, so that every answer of the server is JSON a client can parse.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
                                              HttpServletResponse response, int code, String message) throws IOException {
        byte[] body = body(code, message);
        baseRequest.setHandled(true);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        try (OutputStream out = response.getOutputStream()) {
            out.write(body);
        }
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status, reason));
    }

    static byte[] body(int status, String reason) {
        String detail = reason == null || reason.isBlank() ? HttpStatus.getMessage(status) : reason;
        String message = switch (status) {
            case 400 -> "The request could not be read (" + detail + "). Check the path (no '..' or encoded"
                    + " separators) and the HTTP syntax.";
            case 404 -> "Unknown path; this server serves /v1/models, /v1/chat/completions, /v1/completions,"
                    + " /v1/embeddings and /health.";
            case 408 -> "The request did not arrive in time (" + detail + "); send it promptly.";
            default -> detail;
        };
        OpenAiApiException e = new OpenAiApiException(status, status >= 500 ? "server_error" : "invalid_request_error",
                message, null, status == 404 ? "unknown_url" : status == 408 ? "request_timeout" : null);
        try {
            return OpenAiResponses.JSON.writeValueAsBytes(OpenAiResponses.error(e));
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
