package dev.trellis.agents.tools.sandbox;

import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CappedOutputTest {

    @Test
    void keepsUpToTheCapThenStopsEveryLaterWrite() {
        CappedOutput output = new CappedOutput(10);
        PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        out.print("12345");
        assertThatThrownBy(() -> out.print("6789012345")).isInstanceOf(OutputLimitExceededError.class);
        assertThatThrownBy(() -> out.print("x")).isInstanceOf(OutputLimitExceededError.class);
        assertThat(output.exceeded()).isTrue();
        assertThat(output.drain()).isEqualTo("1234567890");
        assertThat(output.exceeded()).isFalse(); // drained: the next snippet starts afresh
        out.close();
    }
}
