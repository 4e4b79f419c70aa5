package dev.trellis.retrieval.loaders;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a whole text file strictly: undecodable bytes and binary content are errors, never replaced. */
final class TextFiles {

    private static final char BOM = '\uFEFF';

    private TextFiles() {
    }

    /** The file's text without a leading byte-order mark; throws {@link DocumentLoadException} if it is not text. */
    static String read(Path path, Charset charset) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new DocumentLoadException(path, path + " does not exist; check the path (relative paths resolve against "
                    + Path.of("").toAbsolutePath() + ")", e);
        } catch (IOException e) {
            throw new DocumentLoadException(path, "cannot read " + path + ": " + e, e);
        }
        String text;
        try {
            text = charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new DocumentLoadException(path, path + " is not valid " + charset.name()
                    + " text (" + e + "); if it is text in another encoding, set the loader's charset; "
                    + "if it is a binary file, do not load it as text", e);
        }
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw new DocumentLoadException(path, path + " looks binary: it contains a NUL character at offset " + nul
                    + "; only text files can be loaded (UTF-16 text needs charset UTF-16)");
        }
        return !text.isEmpty() && text.charAt(0) == BOM ? text.substring(1) : text;
    }
}
