package dev.trellis.finetune.generate;

import java.util.List;

/** The JSON automaton's state for one sequence being generated, with the vocabulary mask it implies. */
final class ConstrainedState {

    private final TokenTrie trie;
    private final TokenBytes tokenBytes;
    private List<JsonAutomaton.Stack> states;

    ConstrainedState(JsonConstraint constraint, TokenTrie trie, TokenBytes tokenBytes) {
        this.trie = trie;
        this.tokenBytes = tokenBytes;
        this.states = JsonAutomaton.start(constraint.schema());
    }

    /** Fills {@code allowed} with the tokens that keep the output a valid prefix; {@code eos} when it is complete. */
    void allowed(boolean[] allowed, int eos) {
        trie.allowed(states, allowed);
        if (eos >= 0 && eos < allowed.length && JsonAutomaton.accepting(states)) {
            allowed[eos] = true;
        }
    }

    void advance(int token) {
        byte[] b = tokenBytes.bytes(token);
        List<JsonAutomaton.Stack> next = b == null ? List.of() : JsonAutomaton.feed(states, b);
        if (next.isEmpty()) {
            throw new IllegalStateException("internal: token " + token + " was allowed but the JSON automaton rejects it");
        }
        states = next;
    }

    boolean accepting() {
        return JsonAutomaton.accepting(states);
    }

    /** Complete and nothing may follow: generation of this sequence is over. */
    boolean finished() {
        return JsonAutomaton.finished(states);
    }

    /** How many tokens the shortest closing would take after {@code token}, without advancing; -1 if rejected. */
    int closingLengthAfter(int token) {
        byte[] b = tokenBytes.bytes(token);
        List<JsonAutomaton.Stack> next = b == null ? List.of() : JsonAutomaton.feed(states, b);
        if (next.isEmpty()) {
            return -1;
        }
        return JsonAutomaton.accepting(next) ? 0 : trie.encodeBytes(JsonAutomaton.completion(next)).length;
    }

    /** Tokens that close the document by the shortest way. */
    int[] closingTokens() {
        return trie.encodeBytes(JsonAutomaton.completion(states));
    }
}
