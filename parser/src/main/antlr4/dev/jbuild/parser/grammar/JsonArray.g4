/*
 * JSON array grammar for the exec form of RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD, and the
 * JSON list form of COPY, ADD and VOLUME.
 *
 * BuildKit decodes the argument text with Go's json.Unmarshal into []any and only afterwards checks
 * that every element is a string. So the grammar accepts any JSON value as an element: the caller
 * reports "arrays must be comprised of strings only" for non-strings, and any syntax error (single
 * quotes, unterminated string, trailing text, ...) makes the caller fall back to the shell form.
 */
grammar JsonArray;

jsonArray : array EOF ;

array : '[' (value (',' value)*)? ']' ;

value
    : STRING                                           # stringValue
    | (NUMBER | 'true' | 'false' | 'null' | object | array)  # otherValue
    ;

object : '{' (member (',' member)*)? '}' ;

member : STRING ':' value ;

STRING : '"' (ESCAPE | SAFE_CHAR)* '"' ;

NUMBER : '-'? INTEGER ('.' [0-9]+)? EXPONENT? ;

// JSON insignificant whitespace (RFC 8259 section 2); anything else is a syntax error.
WS : [ \t\n\r]+ -> skip ;

fragment ESCAPE : '\\' (["\\/bfnrt] | 'u' HEX HEX HEX HEX) ;
fragment HEX : [0-9a-fA-F] ;
// Control characters must be escaped inside JSON strings.
fragment SAFE_CHAR : ~["\\\u0000-\u001F] ;
fragment INTEGER : '0' | [1-9] [0-9]* ;
fragment EXPONENT : [eE] [+\-]? [0-9]+ ;
