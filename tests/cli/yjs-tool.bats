#!/usr/bin/env bats
# yjs-tool.bats - the yjs-tool commands on golden-vector bytes (spec/yjs.md
# Appendix A), including malformed input and usage errors.

setup() {
	top=${abs_top_srcdir:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	tool=${YJS_TOOL:-${abs_top_builddir:-$top}/src/yjs/yjs-tool}
	[ -x "$tool" ] || skip "yjs-tool not built"
	d=$BATS_TEST_TMPDIR
	# V1: "abc" by client 1 in text "t", then "de" appended
	bin 01010100040101740361626300 v1
	bin 0101010384010202646500 v1de
	# V3: client 2 "b" / client 1 "a" merged
	bin 0101010004010174016100 v3a
	bin 0101020004010174016200 v3b
	# V2: XmlFragment xml > p{id:a1} > "hi"
	bin 01040100070103786d6c03017007000100060400010102686928000100026964017702613100 v2
	# V5b map overwrite: full state
	bin 010201002101016d016b01a80100017d020101010001 v5b
	# V9: update #2 alone (pending)
	bin 01010101840100016200 v9
}

# bin HEX NAME: writes the bytes to $d/NAME
bin() {
	if command -v xxd >/dev/null 2>&1; then
		printf '%s' "$1" | xxd -r -p >"$d/$2"
	else
		perl -e 'print pack("H*", $ARGV[0])' "$1" >"$d/$2"
	fi
}

# hex FILE: the bytes of FILE as lowercase hex on one line
hex() {
	od -An -v -tx1 "$1" | tr -d ' \n'
}

@test "--help and --version" {
	run "$tool" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: yjs-tool"* ]]
	[[ "$output" == *"merge FILE"* ]]
	run "$tool" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "yjs-tool (libyjs) "* ]]
}

@test "merge: two transactions squash into one item (V1)" {
	"$tool" merge "$d/v1" "$d/v1de" >"$d/out"
	[ "$(hex "$d/out")" = 010101000401017405616263646500 ]
}

@test "merge: clients in descending order (V3)" {
	"$tool" merge "$d/v3a" "$d/v3b" >"$d/out"
	[ "$(hex "$d/out")" = 0201020004010174016201010004010174016100 ]
	"$tool" merge "$d/v3b" "$d/v3a" >"$d/out"
	[ "$(hex "$d/out")" = 0201020004010174016201010004010174016100 ]
}

@test "merge: stdin and --hex" {
	run sh -c "'$tool' --hex merge - '$d/v1de' <'$d/v1'"
	[ "$status" -eq 0 ]
	[ "$output" = 010101000401017405616263646500 ]
}

@test "merge: pending structs are kept (V9)" {
	run "$tool" --hex merge "$d/v9"
	[ "$status" -eq 0 ]
	[ "$output" = 01010101840100016200 ]
}

@test "merge: map overwrite full state round-trips (V5b)" {
	run "$tool" --hex merge "$d/v5b"
	[ "$output" = 010201002101016d016b01a80100017d020101010001 ]
}

@test "json: text, map and array roots in command-line order" {
	run "$tool" json --root t:text --root m:map --root a:array "$d/v1" "$d/v1de"
	[ "$status" -eq 0 ]
	[ "$output" = '{"t":"abcde","m":{},"a":[]}' ]
	run "$tool" json --root m:map "$d/v5b"
	[ "$output" = '{"m":{"k":2}}' ]
}

@test "json: XML roots render as strings (V2)" {
	run "$tool" json --root xml:xmlfragment "$d/v2"
	[ "$status" -eq 0 ]
	[ "$output" = '{"xml":"<p id=\"a1\">hi</p>"}' ]
	run "$tool" json --root xml:xmlelement "$d/v2"
	[ "$output" = '{"xml":"<undefined><p id=\"a1\">hi</p></undefined>"}' ]
}

@test "json: usage errors" {
	run "$tool" json "$d/v1"
	[ "$status" -eq 2 ]
	run "$tool" json --root t "$d/v1"
	[ "$status" -eq 2 ]
	run "$tool" json --root t:blob "$d/v1"
	[ "$status" -eq 2 ]
	run "$tool" json --root t:text --root t:map "$d/v1"
	[ "$status" -eq 2 ]
	run "$tool" merge --root t:text "$d/v1"
	[ "$status" -eq 2 ]
}

@test "vector: state vectors (V1, V3, empty, pending)" {
	run "$tool" --hex vector "$d/v1"
	[ "$output" = 010103 ]
	run "$tool" --hex vector "$d/v3a" "$d/v3b"
	[ "$output" = 0202010101 ]
	run "$tool" --hex vector "$d/v9"
	[ "$output" = 00 ]
}

@test "diff: what the holder of a state vector lacks (V1)" {
	bin 010103 sv3
	bin 010101 sv1
	bin 00 sv0
	run "$tool" --hex diff "$d/sv3" "$d/v1" "$d/v1de"
	[ "$output" = 0101010384010202646500 ]
	run "$tool" --hex diff "$d/sv1" "$d/v1" "$d/v1de"
	[ "$output" = 01010101840100046263646500 ]
	run "$tool" --hex diff "$d/sv0" "$d/v1" "$d/v1de"
	[ "$output" = 010101000401017405616263646500 ]
	# vector -> diff round trip: nothing is missing
	"$tool" vector "$d/v1" "$d/v1de" >"$d/sv"
	run "$tool" --hex diff "$d/sv" "$d/v1" "$d/v1de"
	[ "$output" = 0000 ]
}

@test "diff: malformed state vector" {
	bin 0101 badsv
	run "$tool" --hex diff "$d/badsv" "$d/v1"
	[ "$status" -eq 1 ]
	[[ "$output" == "yjs-tool: $d/badsv: "*" at byte "* ]]
	run "$tool" --hex diff "$d/v1"
	[ "$status" -eq 2 ]
}

@test "dump: decoded structs as in the vectors" {
	run "$tool" dump "$d/v1de"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'Item (1,3) len=2 origin=(1,2) rightOrigin=null String "de"' ]
	[ "${lines[1]}" = 'DeleteSet: (empty)' ]
	run "$tool" dump "$d/v2"
	[ "${lines[0]}" = 'Item (1,0) len=1 origin=null rightOrigin=null parent="xml" Type YXmlElement nodeName="p"' ]
	[ "${lines[3]}" = 'Item (1,4) len=1 origin=null rightOrigin=null parent=(1,0) parentSub="id" Any ["a1"]' ]
	bin 000101010101 ds
	run "$tool" dump "$d/ds"
	[ "$output" = 'DeleteSet: client 1: [1,+1)' ]
	run "$tool" dump "$d/v1" "$d/v1de"
	[ "$status" -eq 2 ]
}

@test "malformed: truncated update" {
	bin 0101010004010174 trunc
	for cmd in merge vector dump; do
		run "$tool" --hex $cmd "$d/trunc"
		[ "$status" -eq 1 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ "$output" == "yjs-tool: $d/trunc: "*" at byte "[0-9]* ]]
	done
	run "$tool" json --root t:text "$d/trunc"
	[ "$status" -eq 1 ]
}

@test "malformed: invalid UTF-8, unknown content, trailing byte, empty file" {
	bin 010101000401017402eda000 utf
	bin 010101000b01017400 ref11
	bin 01010100040101740361626300ff trail
	: >"$d/empty"
	for f in utf ref11 trail empty; do
		run "$tool" --hex merge "$d/$f"
		[ "$status" -eq 1 ]
		[[ "$output" == "yjs-tool: $d/$f: "*" at byte "[0-9]* ]]
	done
}

@test "malformed: a bad file after a good one still fails" {
	bin 0101010004010174 trunc
	run "$tool" --hex merge "$d/v1" "$d/trunc"
	[ "$status" -eq 1 ]
	[[ "$output" == "yjs-tool: $d/trunc: "* ]]
}

@test "v2 update bytes are rejected as such" {
	bin 000001010000010407047461626301030101000001010000 v2u
	run "$tool" --hex merge "$d/v2u"
	[ "$status" -eq 1 ]
	[[ "$output" == *"v2"*" at byte "[0-9]* ]]
}

@test "missing file" {
	run "$tool" --hex merge "$d/nonexistent"
	[ "$status" -eq 1 ]
	[ "$output" = "yjs-tool: $d/nonexistent: No such file or directory" ]
}

@test "usage errors exit 2" {
	run "$tool"
	[ "$status" -eq 2 ]
	run "$tool" frobnicate
	[ "$status" -eq 2 ]
	run "$tool" merge
	[ "$status" -eq 2 ]
	run "$tool" --bogus merge "$d/v1"
	[ "$status" -eq 2 ]
	run "$tool" --client x merge "$d/v1"
	[ "$status" -eq 2 ]
}

@test "binary output is refused on a terminal" {
	command -v script >/dev/null 2>&1 || skip "script(1) not available"
	run script -qec "'$tool' merge '$d/v1'" /dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"refusing to write binary"* ]]
}
