package dev.trellis.retrieval.qa;

/**
 * A document is longer than {@link VectorstoreIndex.Builder#maxDocumentChars} allows. Refused before
 * anything is split, embedded or written, so a runaway input (a 100 MB CSV cell) fails in a second
 * instead of running for hours.
 */
public class DocumentTooLargeException extends IllegalArgumentException {

    private final String document;
    private final long length;
    private final int limit;

    public DocumentTooLargeException(String document, long length, int limit) {
        super(document + " has " + String.format("%,d", length) + " characters, more than the limit of "
                + String.format("%,d", limit) + "; raise it with maxDocumentChars(...) if the document is meant to be"
                + " that long, or split it into smaller documents");
        this.document = document;
        this.length = length;
        this.limit = limit;
    }

    /** Which document: its source and row when known. */
    public String document() {
        return document;
    }

    /** Its length in characters. */
    public long length() {
        return length;
    }

    /** The limit it exceeds. */
    public int limit() {
        return limit;
    }
}
