package dev.trellis.agents.tools.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where a snippet's System.out and System.err go inside the sandbox JVM: bytes up to the cap are
 * kept; the first write past it keeps what fits and throws {@link OutputLimitExceededError}, and so
 * does every later write, so a print loop stops instead of filling the pipe.
 */
final class CappedOutput extends OutputStream {

    private final int capBytes;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private boolean exceeded;

    CappedOutput(int capBytes) {
        this.capBytes = capBytes;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (exceeded) {
            throw new OutputLimitExceededError(capBytes);
        }
        int room = capBytes - kept.size();
        if (len <= room) {
            kept.write(b, off, len);
            return;
        }
        kept.write(b, off, Math.max(room, 0));
        exceeded = true;
        throw new OutputLimitExceededError(capBytes);
    }

    int capBytes() {
        return capBytes;
    }

    synchronized boolean exceeded() {
        return exceeded;
    }

    /** The output so far, and a fresh start for the next snippet. */
    synchronized String drain() {
        String text = kept.toString(StandardCharsets.UTF_8);
        kept.reset();
        exceeded = false;
        return text;
    }
}
