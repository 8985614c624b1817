/*
 * Lexer for one logical Dockerfile instruction line.
 *
 * Line structure (BOM, CRLF, comments, parser directives, the escape token at the end of a line,
 * empty continuation lines and heredoc bodies) is handled by a small hand-written pre-pass
 * (dev.jbuild.parser.internal.LineJoiner) that joins physical lines into logical lines and keeps a
 * map back to source positions. This lexer therefore never sees a newline that ends an instruction.
 *
 * Words follow BuildKit's parseWords (parser/line_parsers.go): a word is a run of non-blank
 * characters in which single-quoted and double-quoted parts may contain blanks, and the escape
 * token escapes the next character outside single quotes. Quotes and escapes are kept in the token
 * text; variable expansion removes them later. An unterminated quote extends to the end of the line
 * (parseWords does not report it). The escape token is set per file by the "# escape=" directive,
 * hence the semantic predicates.
 *
 * Every character is matched by some rule, so this lexer cannot fail.
 */
lexer grammar DockerfileLexer;

@members {
    private int escapeToken = '\\';

    /** Sets the escape token, {@code '\\'} (default) or {@code '`'}, from the escape directive. */
    public void setEscapeToken(char token) {
        this.escapeToken = token;
    }
}

// A bare "--" ends the flags of an instruction (BuildKit extractBuilderFlags). Defined before FLAG
// so that the tie on the two characters "--" resolves to this token.
DOUBLE_DASH : '--' ;

// Leading "--name[=value]" words are builder flags (for example --platform, --from, --mount).
FLAG : '--' WORD_PART+ ;

WORD : WORD_PART+ ;

// Go's unicode.IsSpace set; \r and \n only occur here if the source had a stray carriage return.
WS : [ \t\r\n\u000B\f\u0085\u00A0]+ ;

fragment WORD_PART : ESCAPE_PAIR | SINGLE_QUOTED | DOUBLE_QUOTED | PLAIN ;

// The escape token and the character it escapes; only a trailing escape token stands alone. The
// escaped character must not be optional elsewhere: the lexer takes the longest match, and with
// `.?` it could read `\'` or `\"` as a lone escape token followed by an opening quote running to
// the end of the line, or `\\ ` as a lone escape followed by an escaped blank, swallowing the next
// words (BuildKit's parser/testfiles/env; parseWords always keeps the pair together).
fragment ESCAPE_PAIR : ESCAPE_CHAR (. | EOF) ;

fragment ESCAPE_CHAR
    : '\\' {escapeToken == '\\'}?
    | '`' {escapeToken == '`'}?
    ;

// The escape token is not special inside single quotes. A quote that is never closed runs to the
// end of the line; it must not be allowed to end anywhere else, or the longest-match rule would
// prefer reading a closing quote as the start of a new unterminated quote.
fragment SINGLE_QUOTED : '\'' ~'\''* ('\'' | EOF) ;

fragment DOUBLE_QUOTED : '"' (ESCAPE_PAIR | NOT_ESCAPE | ~["\\`])* ('"' | EOF) ;

fragment PLAIN : ~[ \t\r\n\u000B\f\u0085\u00A0"'\\`] | NOT_ESCAPE ;

// Whichever of backslash and backtick is not the current escape token is an ordinary character.
fragment NOT_ESCAPE
    : '\\' {escapeToken != '\\'}?
    | '`' {escapeToken != '`'}?
    ;
