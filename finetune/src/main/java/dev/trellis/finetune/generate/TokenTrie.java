package dev.trellis.finetune.generate;

import java.util.Arrays;
import java.util.List;

/**
 * The vocabulary's token bytes as a trie, so that computing which tokens keep a JSON document valid
 * walks each shared prefix once and drops a whole subtree at the first byte the automaton rejects.
 */
final class TokenTrie {

    private static final class Node {
        int[] childBytes = new int[0];
        Node[] children = new Node[0];
        int[] tokens = new int[0];

        Node child(int b, boolean create) {
            for (int i = 0; i < childBytes.length; i++) {
                if (childBytes[i] == b) {
                    return children[i];
                }
            }
            if (!create) {
                return null;
            }
            Node n = new Node();
            childBytes = Arrays.copyOf(childBytes, childBytes.length + 1);
            children = Arrays.copyOf(children, children.length + 1);
            childBytes[childBytes.length - 1] = b;
            children[children.length - 1] = n;
            return n;
        }
    }

    private final Node root = new Node();
    private final int vocabSize;

    TokenTrie(TokenBytes tokenBytes, int vocabSize) {
        this.vocabSize = vocabSize;
        for (int id = 0; id < Math.min(vocabSize, tokenBytes.size()); id++) {
            byte[] b = tokenBytes.bytes(id);
            if (b == null || b.length == 0) {
                continue;
            }
            Node n = root;
            for (byte x : b) {
                n = n.child(x & 0xFF, true);
            }
            n.tokens = Arrays.copyOf(n.tokens, n.tokens.length + 1);
            n.tokens[n.tokens.length - 1] = id;
        }
    }

    /** Marks in {@code allowed} every token whose bytes the automaton accepts from {@code states}. */
    void allowed(List<JsonAutomaton.Stack> states, boolean[] allowed) {
        Arrays.fill(allowed, false);
        walk(root, states, allowed);
    }

    private void walk(Node node, List<JsonAutomaton.Stack> states, boolean[] allowed) {
        for (int i = 0; i < node.childBytes.length; i++) {
            List<JsonAutomaton.Stack> next = JsonAutomaton.feed(states, node.childBytes[i]);
            if (next.isEmpty()) {
                continue;
            }
            Node child = node.children[i];
            for (int t : child.tokens) {
                allowed[t] = true;
            }
            walk(child, next, allowed);
        }
    }

    int vocabSize() {
        return vocabSize;
    }

    /** Tokens spelling exactly {@code text}, longest match first; throws when a byte has no token. */
    int[] encodeBytes(byte[] text) {
        int[] out = new int[text.length];
        int n = 0;
        int pos = 0;
        while (pos < text.length) {
            Node node = root;
            int bestToken = -1;
            int bestEnd = -1;
            for (int i = pos; i < text.length; i++) {
                node = node.child(text[i] & 0xFF, false);
                if (node == null) {
                    break;
                }
                if (node.tokens.length > 0) {
                    bestToken = node.tokens[0];
                    bestEnd = i + 1;
                }
            }
            if (bestToken < 0) {
                throw new GenerationException("the vocabulary has no token for byte 0x"
                        + Integer.toHexString(text[pos] & 0xFF) + "; constrained decoding needs a tokenizer that can spell any"
                        + " byte (byte-level BPE or byte fallback)");
            }
            out[n++] = bestToken;
            pos = bestEnd;
        }
        return Arrays.copyOf(out, n);
    }
}
