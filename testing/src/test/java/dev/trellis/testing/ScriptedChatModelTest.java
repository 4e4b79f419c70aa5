package dev.trellis.testing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScriptedChatModelTest {

    @Test
    void answersInOrderRecordsPromptsAndFailsWhenTheScriptRunsOut() {
        ScriptedChatModel model = ScriptedChatModel.replying("one", "two");
        assertThat(model.chat("first")).isEqualTo("one");
        assertThat(model.chat("second")).isEqualTo("two");
        assertThat(model.lastPrompt()).isEqualTo("second");
        assertThat(model.requests()).hasSize(2);
        assertThatThrownBy(() -> model.chat("third"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ran out of answers after 2 calls")
                .hasMessageContaining("third");
    }

    @Test
    void answeringUsesTheMessages() {
        ScriptedChatModel echo = ScriptedChatModel.answering(messages -> "seen " + messages.size());
        assertThat(echo.chat("hi")).isEqualTo("seen 1");
    }
}
