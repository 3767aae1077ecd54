#!/usr/bin/env bats
# meshctl.bats - the meshctl offline commands (schema check, doc validate,
# render, build, apply) on the built-in schemas in schemas/: real outputs,
# malformed input with the expected JSON pointers and messages, usage
# errors (exit 2), stdin input and --help.  Updates written by `doc apply`
# are cross-checked with yjs-tool (libyjs's own merge).

bats_require_minimum_version 1.5.0

setup() {
	top=${abs_top_srcdir:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
	build=${abs_top_builddir:-$top}
	mc=$build/src/cli/meshctl
	ytool=${YJS_TOOL:-$build/src/yjs/yjs-tool}
	[ -x "$mc" ] || skip "meshctl not built"
	schemas=$top/schemas
	export MESHCTL_SCHEMA_DIR=$schemas
	d=$BATS_TEST_TMPDIR
	cd "$d"
}

# hex FILE: the bytes of FILE as lowercase hex on one line
hex() {
	od -An -v -tx1 "$1" | tr -d ' \n'
}

# bin HEX FILE: writes the bytes to FILE
bin() {
	if command -v xxd >/dev/null 2>&1; then
		printf '%s' "$1" | xxd -r -p >"$2"
	else
		perl -e 'print pack("H*", $ARGV[0])' "$1" >"$2"
	fi
}

# The html document of spec/document.md §3.6 A, in the form render writes.
html_doc() {
	cat <<'EOF'
{
  "html": {
    "children": [
      {
        "body": {
          "children": [
            {
              "p": {
                "class": "content"
              }
            },
            {
              "p": {}
            }
          ]
        }
      }
    ]
  }
}
EOF
}

document_doc() {
	cat <<'EOF'
{
  "document": {
    "content": [
      {
        "heading": {
          "text": "Quarterly report"
        }
      },
      {
        "body": {
          "text": "Revenue grew **12%**.\nNext line é 😀 \"quoted\""
        }
      },
      {
        "file": {
          "name": "chart.png"
        }
      }
    ]
  }
}
EOF
}

thread_doc() {
	cat <<'EOF'
{
  "thread": {
    "name": "Support",
    "properties": [
      {
        "members": {
          "items": [
            {
              "member": {
                "name": "alice"
              }
            },
            {
              "member": {
                "name": "bob"
              }
            }
          ]
        }
      },
      {
        "messages": {
          "items": [
            {
              "message": {
                "id": "m1",
                "text": "Can you summarise the PDF?",
                "created_at": "2025-01-01T10:00:00Z",
                "author_name": "alice",
                "role": "user",
                "attachments": [
                  {
                    "file": {
                      "path": "report.pdf"
                    }
                  },
                  {
                    "image": {
                      "width": 640,
                      "height": 480.5,
                      "mime_type": "image/png"
                    }
                  }
                ]
              }
            },
            {
              "exec": {
                "command": "ls -l",
                "stdout": "total 0\n",
                "exit_code": 0
              }
            }
          ]
        }
      }
    ]
  }
}
EOF
}

# A schema with rich text: "text" elements hold text nodes.
rich_schema() {
	cat <<'EOF'
{"$root_tag_ref": "#/$defs/doc", "$defs": {
 "doc": {"type": "object", "additionalProperties": false, "required": ["doc"], "properties": {"doc": {"type": "object", "additionalProperties": false, "required": ["title", "children"], "properties": {
   "title": {"type": ["string", "null"]},
   "children": {"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/text"}]}}}}}},
 "text": {"type": "object", "additionalProperties": false, "required": ["text"], "properties": {"text": {"type": "object", "additionalProperties": false, "required": ["style", "children"], "properties": {
   "style": {"type": ["string", "null"]},
   "children": {"type": "array", "items": {"anyOf": []}}}}}}}}
EOF
}

rich_doc() {
	cat <<'EOF'
{
  "doc": {
    "title": "Notes",
    "children": [
      {
        "text": {
          "style": "p",
          "children": [
            {
              "text": {
                "delta": [
                  {
                    "insert": "hello",
                    "attributes": {
                      "bold": true
                    }
                  },
                  {
                    "insert": " world",
                    "attributes": {}
                  }
                ]
              }
            }
          ]
        }
      }
    ]
  }
}
EOF
}

# ---------------------------------------------------------------- general

@test "--help lists the commands, --version prints configure's version" {
	run "$mc" --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: meshctl "* ]]
	[[ "$output" == *"  schema  "* ]]
	[[ "$output" == *"  doc     "* ]]
	run "$mc" -h
	[ "$status" -eq 0 ]
	want=$(sed -n 's/^AC_INIT(\[meshfs\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
	[ -n "$want" ]
	run "$mc" --version
	[ "$status" -eq 0 ]
	[ "$output" = "meshctl (meshfs) $want" ]
}

@test "COMMAND --help shows each command's usage" {
	for c in "schema" "schema check" "doc" "doc validate" "doc render" \
		"doc build" "doc apply"; do
		# shellcheck disable=SC2086
		run "$mc" $c --help
		[ "$status" -eq 0 ]
		[[ "$output" == "usage: meshctl $c "* ]]
	done
	run "$mc" doc --help
	[[ "$output" == *"  validate  "*"  render  "*"  build  "*"  apply  "* ]]
	run "$mc" doc render x --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: meshctl doc render "* ]]
	run "$mc" doc apply -h
	[[ "$output" == *"--stats"* ]]
}

@test "usage errors exit 2 with a hint" {
	run --separate-stderr "$mc"
	[ "$status" -eq 2 ]
	[ "$stderr" = "meshctl: no command given
Try 'meshctl --help'." ]
	run --separate-stderr "$mc" frobnicate
	[ "$status" -eq 2 ]
	[[ "$stderr" == "meshctl: unknown command 'frobnicate'"* ]]
	run --separate-stderr "$mc" --bogus
	[ "$status" -eq 2 ]
	[[ "$stderr" == "meshctl: unknown option '--bogus'"* ]]
	run --separate-stderr "$mc" doc
	[ "$status" -eq 2 ]
	[ "$stderr" = "meshctl doc: no command given
Try 'meshctl doc --help'." ]
	run --separate-stderr "$mc" doc frob
	[ "$status" -eq 2 ]
	[[ "$stderr" == "meshctl doc: unknown command 'frob'"* ]]
	run --separate-stderr "$mc" schema check
	[ "$status" -eq 2 ]
	[[ "$stderr" == "meshctl schema check: no FILE given"* ]]
	run --separate-stderr "$mc" schema check --nope x
	[ "$status" -eq 2 ]
	[[ "$stderr" == "meshctl schema check: unknown option '--nope'"* ]]
	[ -z "$output" ]
}

@test "doc usage errors: --schema, arguments, stdin twice, --client, combinations" {
	html_doc >h.json
	run --separate-stderr "$mc" doc validate h.json
	[ "$status" -eq 2 ]
	[[ "$stderr" == "meshctl doc validate: --schema SCHEMA is required"* ]]
	run --separate-stderr "$mc" doc validate h.json --schema
	[ "$status" -eq 2 ]
	[[ "$stderr" == "meshctl doc validate: option '--schema' needs an argument"* ]]
	run "$mc" doc validate --schema html
	[ "$status" -eq 2 ]
	run "$mc" doc validate --schema html --strict --ids h.json
	[ "$status" -eq 2 ]
	run "$mc" doc validate --schema html --state --ids h.json
	[ "$status" -eq 2 ]
	run "$mc" doc validate --schema - - </dev/null
	[ "$status" -eq 2 ]
	run "$mc" doc render --schema html
	[ "$status" -eq 2 ]
	run "$mc" doc build --schema html >/dev/null
	[ "$status" -eq 2 ]
	run "$mc" doc build --schema html h.json h.json >/dev/null
	[ "$status" -eq 2 ]
	for id in 0 -1 abc 9007199254740992 12x; do
		run --separate-stderr "$mc" doc build --client "$id" --schema html h.json
		[ "$status" -eq 2 ]
		[[ "$stderr" == *"--client wants a number from 1 to 9007199254740991"* ]]
	done
	run "$mc" doc apply --schema html a b
	[ "$status" -eq 2 ]
	run "$mc" doc apply --schema html a - -
	[ "$status" -eq 2 ]
}

@test "binary output is refused on a terminal unless --force or -o" {
	command -v script >/dev/null || skip "script(1) not installed"
	html_doc >h.json
	run script -qec "'$mc' doc build --schema html h.json" /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"refusing to write a binary Yjs state to a terminal"* ]]
	run script -qec "'$mc' doc build --schema html -o h.state h.json" /dev/null
	[ "$status" -eq 0 ]
	[ -s h.state ]
	run script -qec "'$mc' doc build --force --schema html h.json >/dev/null" /dev/null
	[ "$status" -eq 0 ]
	run script -qec "'$mc' doc apply --schema html h.state h.json h.json" /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"refusing to write a binary Yjs update to a terminal"* ]]
}

@test "unreadable input exits 1 and names the file" {
	run --separate-stderr "$mc" schema check nosuch.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "meshctl: nosuch.json: No such file or directory" ]
	run --separate-stderr "$mc" doc validate --schema nosuch h.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == "meshctl: nosuch: no such file, and no built-in schema of that name in $schemas" ]]
	run --separate-stderr "$mc" doc validate --schema html "$d"
	[ "$status" -eq 1 ]
	[ "$stderr" = "meshctl: $d: Is a directory" ]
	# more than 64 MiB is refused, also from a pipe
	run --separate-stderr sh -c "head -c 67108865 /dev/zero | '$mc' schema check -"
	[ "$status" -eq 1 ]
	[ "$stderr" = "meshctl: <stdin>: input larger than 67108864 bytes" ]
	head -c 67108864 /dev/zero >big.json
	run --separate-stderr "$mc" schema check big.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == "big.json: invalid JSON at byte 0 "* ]]
	rm big.json
}

# ----------------------------------------------------------- schema check

@test "schema check: every built-in schema is valid" {
	run --separate-stderr "$mc" schema check "$schemas"/*.json
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$schemas/document.json: ok (root document, 4 elements)
$schemas/gallery.json: ok (root gallery, 2 elements)
$schemas/html.json: ok (root html, 3 elements)
$schemas/presentation.json: ok (root presentation, 3 elements)
$schemas/schema_schema.json: ok (root schema, 5 elements)
$schemas/superdoc.json: ok (root document, 5 elements)
$schemas/thread.json: ok (root thread, 13 elements)
$schemas/thread_list.json: ok (root thread_list, 2 elements)
$schemas/transcript.json: ok (root transcript, 2 elements)" ]
}

@test "schema check: stdin, one element, --quiet" {
	run "$mc" schema check - <"$schemas/html.json"
	[ "$status" -eq 0 ]
	[ "$output" = "<stdin>: ok (root html, 3 elements)" ]
	echo '{"$root_tag_ref": "a", "$defs": {"a": {"properties": {"a": {"properties": {}}}}}}' >one.json
	run "$mc" schema check one.json
	[ "$status" -eq 0 ]
	[ "$output" = "one.json: ok (root a, 1 element)" ]
	run "$mc" schema check -q one.json "$schemas/html.json"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

# check_bad JSON POINTER MESSAGE: schema check fails with that one error
check_bad() {
	printf '%s\n' "$1" >bad.json
	run --separate-stderr "$mc" schema check bad.json
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	if [ -n "$2" ]; then
		[ "$stderr" = "bad.json: $2: $3" ]
	else
		[ "$stderr" = "bad.json: $3" ]
	fi
}

@test "schema check: malformed schemas give the pointer and the SDK message" {
	check_bad '{"$defs": {}}' '/$root_tag_ref' 'missing key "$root_tag_ref"'
	check_bad '{"$root_tag_ref": "#/$defs/a"}' '/$defs' 'missing key "$defs"'
	check_bad '{"$root_tag_ref": "#/$defs/a", "$defs": []}' '/$defs' \
		'"$defs" must be an object, got array'
	check_bad '{"$root_tag_ref": "#/$defs/zz", "$defs": {"a": {"properties": {"a": {"properties": {}}}}}}' \
		'/$root_tag_ref' 'zz was not found in tags'
	check_bad '{"$root_tag_ref": "a", "$defs": {"a": {"properties": {"a": {"properties": {"x": {"type": "integer"}}}}}}}' \
		'/$defs/a/properties/a/properties/x/type' 'Invalid value type: integer'
	check_bad '{"$root_tag_ref": "a", "$defs": {"a": {"properties": {"a": {"properties": {"c": {"type": "array", "items": {"anyOf": [{"$ref": "#/$defs/zz"}]}}}}}}}}' \
		'/$defs/a/properties/a/properties/c/items/anyOf/0/$ref' 'Element not found: zz'
	check_bad '{"$root_tag_ref": "a", "$defs": {"a": {"properties": {"a": {"properties": {"c": {"type": "array"}}}}}}}' \
		'/$defs/a/properties/a/properties/c' 'Invalid array type encountered'
	check_bad '{"$root_tag_ref": "a", "$defs": {"a": {"properties": {}}}}' \
		'/$defs/a/properties' 'Invalid schema json: no properties found'
	check_bad '{"$root_tag_ref": "a", "$defs": {"a": {"properties": {"a": {"properties": {}}}}, "b": {"properties": {"a": {"properties": {}}}}}}' \
		'/$defs/b' 'a was found more than once'
	check_bad '{"$root_tag_ref": "a", "$defs": {"a": {"properties": {"a": {"properties": {"c": {"type": "array", "items": {"anyOf": []}}, "d": {"type": "array", "items": {"anyOf": []}}}}}}}}' \
		'/$defs/a/properties/a/properties/d' 'Only one child property is allowed'
	check_bad '{"$root_tag_ref": "a", "$defs": {' '' \
		'invalid JSON at byte 34 (line 2, column 1): unexpected end of input'
}

@test "schema check: several files, one bad: ok lines, the error, exit 1" {
	echo '[]' >bad.json
	run --separate-stderr "$mc" schema check "$schemas/html.json" bad.json - <"$schemas/thread.json"
	[ "$status" -eq 1 ]
	[ "$output" = "$schemas/html.json: ok (root html, 3 elements)
<stdin>: ok (root thread, 13 elements)" ]
	[[ "$stderr" == "bad.json: "*"object"* ]]
}

# ------------------------------------------------------------ doc validate

@test "doc validate: a valid document, by schema name, path and stdin" {
	html_doc >h.json
	run --separate-stderr "$mc" doc validate --schema html h.json
	[ "$status" -eq 0 ]
	[ "$output" = "h.json: ok" ]
	[ -z "$stderr" ]
	run "$mc" doc validate -s "$schemas/html.json" - <h.json
	[ "$status" -eq 0 ]
	[ "$output" = "<stdin>: ok" ]
	run "$mc" doc validate --schema - h.json <"$schemas/html.json"
	[ "$status" -eq 0 ]
	[ "$output" = "h.json: ok" ]
	run "$mc" doc validate -q --schema html.json h.json
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	thread_doc >t.json
	document_doc >doc.json
	run "$mc" doc validate --schema thread t.json
	[ "$status" -eq 0 ]
	run "$mc" doc validate --schema document doc.json
	[ "$status" -eq 0 ]
}

@test "doc validate: level R errors, every one with its pointer" {
	cat >bad.json <<'EOF'
{"html": {"children": [{"div": {}}, {"p": {"class": 5}}, {"body": {"id": "x", "children": [{"p": {"class": 5}}, {"p": {"class": null}}]}}]}}
EOF
	run --separate-stderr "$mc" doc validate --schema html bad.json
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = 'bad.json: /html/children/0/div: unknown element "div" (not in the schema)
bad.json: /html/children/1/p: element "p" is not allowed in "children" of "html" (allowed: body)
bad.json: /html/children/1/p/class: expected string or null, got number
bad.json: /html/children/2/body/id: unexpected property "id" (not in the schema of "body")
bad.json: /html/children/2/body/children/0/p/class: expected string or null, got number' ]
	echo '{"document": {"content": []}}' >wrongroot.json
	run --separate-stderr "$mc" doc validate --schema html wrongroot.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == "wrongroot.json: "*"html"* ]]
}

@test "doc validate: enums (schema_schema) and several files" {
	cat >s.json <<'EOF'
{"schema": {"root_tag_name": "r", "elements": [{"element": {"tag_name": "r", "schema": [{"attribute": {"name": "a", "type": "int"}}]}}]}}
EOF
	html_doc >h.json
	run --separate-stderr "$mc" doc validate --schema schema_schema s.json
	[ "$status" -eq 1 ]
	[ "$stderr" = 's.json: /schema/elements/0/element/schema/0/attribute/type: value "int" is not one of ["string","boolean","number"]' ]
	sed 's/"int"/"number"/' s.json >s2.json
	run --separate-stderr "$mc" doc validate --schema schema_schema s2.json s.json s2.json
	[ "$status" -eq 1 ]
	[ "$output" = "s2.json: ok
s2.json: ok" ]
}

@test "doc validate: invalid JSON text" {
	printf '{"html": {"children": [}\n' >broken.json
	run --separate-stderr "$mc" doc validate --schema html broken.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == "broken.json: invalid JSON at byte 23 (line 1, column 24): "* ]]
	run --separate-stderr "$mc" doc validate --schema html - <<<'{"html": '
	[ "$status" -eq 1 ]
	[[ "$stderr" == "<stdin>: invalid JSON at byte 10 (line 2, column 1): unexpected end of input" ]]
	printf '' >empty.json
	run "$mc" doc validate --schema html empty.json
	[ "$status" -eq 1 ]
}

@test "doc validate --strict: level S wants every property and ordered children" {
	html_doc >h.json
	run --separate-stderr "$mc" doc validate --strict --schema html h.json
	[ "$status" -eq 1 ]
	[ "$stderr" = 'h.json: /html/children/0/body/children/1/p/class: missing property "class" (use null for no value)' ]
	echo '{"html": {"children": [{"body": {"children": [{"p": {"class": null}}]}}]}}' >full.json
	run "$mc" doc validate --strict --schema html full.json
	[ "$status" -eq 0 ]
	[ "$output" = "full.json: ok" ]
	# thread's child property is ordered: [members, messages]
	echo '{"thread": {"name": null, "properties": [{"messages": {"external_thread_id": null, "items": []}}]}}' >t.json
	run --separate-stderr "$mc" doc validate --strict --schema thread t.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == "t.json: /thread/properties/0/messages: "* ]]
	# level R does not check the order
	run "$mc" doc validate --schema thread t.json
	[ "$status" -eq 0 ]
}

@test "doc validate --ids accepts \$id keys, the default refuses them" {
	echo '{"html": {"children": [{"body": {"$id": "b1", "children": []}}]}}' >ids.json
	run --separate-stderr "$mc" doc validate --schema html ids.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == 'ids.json: /html/children/0/body/$id: '* ]]
	run "$mc" doc validate --ids --schema html ids.json
	[ "$status" -eq 0 ]
}

@test "doc validate --state checks a Yjs state, refuses garbage" {
	html_doc >h.json
	"$mc" doc build --schema html h.json >h.state
	run "$mc" doc validate --state --schema html h.state
	[ "$status" -eq 0 ]
	[ "$output" = "h.state: ok" ]
	# a valid html state is not a valid document state
	run --separate-stderr "$mc" doc validate --state --schema document h.state
	[ "$status" -eq 1 ]
	[ -n "$stderr" ]
	bin 0105 junk.state
	run --separate-stderr "$mc" doc validate --state --schema html junk.state
	[ "$status" -eq 1 ]
	[[ "$stderr" == "junk.state: invalid Yjs v1 update: "* ]]
}

# -------------------------------------------------------- render and build

@test "doc build: byte-identical to the TS runtime (vector V2c)" {
	echo '{"html": {"children": [{"body": {"$id": "b1", "children": [{"p": {"$id": "p1", "class": "content"}}, {"p": {"$id": "p2"}}]}}]}}' >v2c.json
	"$mc" doc build --client 5 --ids --schema html v2c.json >v2c.state
	[ "$(hex v2c.state)" = 01070500070103786d6c0304626f647907000500030170280005010324696401770270312800050105636c617373017707636f6e74656e74870501030170280005040324696401770270322800050003246964017702623100 ]
	# -o writes the same bytes
	"$mc" doc build --client 5 --ids --schema html -o out.state v2c.json
	cmp v2c.state out.state
}

@test "doc build then render round-trips the JSON (html, document, thread, rich text)" {
	html_doc >html.json
	document_doc >document.json
	thread_doc >thread.json
	for s in html document thread; do
		"$mc" doc build --schema "$s" "$s.json" >"$s.state"
		run --separate-stderr "$mc" doc render --schema "$s" "$s.state"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		diff -u "$s.json" <(printf '%s\n' "$output")
		# the rendered text ends in exactly one newline
		"$mc" doc render --schema "$s" "$s.state" >out.json
		cmp "$s.json" out.json
	done
	rich_schema >rich-schema.json
	rich_doc >rich.json
	"$mc" doc build --schema rich-schema.json rich.json >rich.state
	"$mc" doc render --schema rich-schema.json rich.state >out.json
	diff -u rich.json out.json
}

@test "doc render: canonical form (schema order, child property last, plain strings as text)" {
	# attributes in another order, the child property first, an absent
	# child property: render writes schema order and [] for no children
	cat >in.json <<'EOF'
{"schema": {"elements": [{"element": {"schema": [{"attribute": {"description": "d", "type": "number", "name": "n"}}], "description": "e", "tag_name": "x"}}, {"element": {"tag_name": "y"}}], "root_tag_name": "x"}}
EOF
	"$mc" doc build --schema schema_schema in.json >s.state
	run "$mc" doc render --schema schema_schema s.state
	[ "$status" -eq 0 ]
	[ "$output" = '{
  "schema": {
    "root_tag_name": "x",
    "elements": [
      {
        "element": {
          "tag_name": "x",
          "description": "e",
          "schema": [
            {
              "attribute": {
                "name": "n",
                "type": "number",
                "description": "d"
              }
            }
          ]
        }
      },
      {
        "element": {
          "tag_name": "y",
          "schema": []
        }
      }
    ]
  }
}' ]
	# a plain string in a text element is one unformatted run
	rich_schema >rich-schema.json
	echo '{"doc": {"children": [{"text": {"children": ["plain"]}}]}}' >p.json
	"$mc" doc build --schema rich-schema.json p.json >p.state
	run "$mc" doc render --schema rich-schema.json p.state
	[ "$status" -eq 0 ]
	[[ "$output" == *'"insert": "plain",'*'"attributes": {}'* ]]
}

@test "doc render --ids: a UUID v4 \$id first in every element; build --ids keeps them" {
	html_doc >h.json
	"$mc" doc build --schema html h.json >h.state
	run "$mc" doc render --ids --schema html h.state
	[ "$status" -eq 0 ]
	uuid='[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}'
	[ "$(grep -cE "^ *\"\\\$id\": \"$uuid\",?\$" <<<"$output")" -eq 3 ]
	# "$id" comes right after each element's opening line
	[ "$(grep -A1 -E '"(body|p)": \{' <<<"$output" | grep -c '"\$id"')" -eq 3 ]
	# the root has none
	[ "$(sed -n 3p <<<"$output")" = '    "children": [' ]
	printf '%s\n' "$output" >ids.json
	"$mc" doc build --ids --schema html ids.json >h2.state
	"$mc" doc render --ids --schema html h2.state >ids2.json
	diff -u ids.json ids2.json
	# without --ids the same JSON is refused
	run "$mc" doc build --schema html ids.json
	[ "$status" -eq 1 ]
}

@test "doc render: stdin, several updates, an empty document, garbage" {
	html_doc >h.json
	"$mc" doc build --schema html h.json >h.state
	run "$mc" doc render --schema html - <h.state
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat h.json)" ]
	# an empty update: the root with no children
	bin 0000 empty.state
	run "$mc" doc render --schema html empty.state
	[ "$status" -eq 0 ]
	[ "$output" = '{
  "html": {
    "children": []
  }
}' ]
	# state + empty update
	run "$mc" doc render --schema html h.state empty.state
	[ "$output" = "$(cat h.json)" ]
	run --separate-stderr "$mc" doc render --schema html h.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == "h.json: invalid Yjs v1 update: "* ]]
	[ -z "$output" ]
}

@test "doc build: invalid JSON and schema violations write nothing, exit 1" {
	echo '{"html": {"children": [{"p": {}}]}}' >bad.json
	run --separate-stderr "$mc" doc build --schema html bad.json
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = 'bad.json: /html/children/0/p: element "p" is not allowed in "children" of "html" (allowed: body)' ]
	run --separate-stderr "$mc" doc build --schema html - <<<'{"html": {'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "<stdin>: invalid JSON at byte "* ]]
	"$mc" doc build --schema html -o never.state bad.json || true
	[ ! -s never.state ]
}

# ------------------------------------------------------------------ apply

# setup_apply SCHEMA JSON: builds state.s and renders base.json (with ids)
setup_apply() {
	"$mc" doc build --schema "$1" "$2" >state.s
	"$mc" doc render --ids --schema "$1" state.s >base.json
}

# check_apply SCHEMA NEW: apply base.json -> NEW on state.s; the update
# merged into state.s with yjs-tool renders as NEW (without ids)
check_apply() {
	"$mc" doc apply --schema "$1" state.s base.json "$2" >upd
	"$ytool" merge state.s upd >merged.s
	"$mc" doc render --schema "$1" merged.s >got.json
	"$mc" doc render --schema "$1" state.s upd >got2.json
	diff -u want.json got.json
	diff -u want.json got2.json
}

@test "doc apply: an attribute change is one small update that yjs-tool merges" {
	html_doc >h.json
	setup_apply html h.json
	sed 's/"content"/"lead"/' base.json >new.json
	sed 's/"content"/"lead"/' h.json >want.json
	run --separate-stderr "$mc" doc apply --stats --client 77 --schema html -o upd77 state.s base.json new.json
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$stderr" = "attributes: 1 set, 0 deleted
elements: 0 inserted, 0 deleted
text: 0 inserted, 0 deleted, 0 formatted
dropped: 0" ]
	check_apply html new.json
	# the update holds one item by client 77: the new value, replacing
	# (deleting) the old one
	run "$ytool" dump upd77
	[ "$status" -eq 0 ]
	[ "$(grep -c '^Item ' <<<"$output")" -eq 1 ]
	[[ "$output" == 'Item (77,0) len=1 '*' Any ["lead"]'* ]]
	[ "$(grep -c '^DeleteSet: client [0-9]*: \[[0-9]*,+1)$' <<<"$output")" -eq 1 ]
}

@test "doc apply: insert, delete and edit elements (document, thread)" {
	document_doc >doc.json
	setup_apply document doc.json
	# new edited without ids: delete the heading, change the body, add two
	cat >new.json <<'EOF'
{"document": {"content": [{"body": {"text": "Revenue fell."}}, {"heading": {"text": "Appendix"}}, {"file": {"name": "chart.png"}}, {"file": {"name": "data.csv"}}]}}
EOF
	cat >want.json <<'EOF'
{
  "document": {
    "content": [
      {
        "body": {
          "text": "Revenue fell."
        }
      },
      {
        "heading": {
          "text": "Appendix"
        }
      },
      {
        "file": {
          "name": "chart.png"
        }
      },
      {
        "file": {
          "name": "data.csv"
        }
      }
    ]
  }
}
EOF
	check_apply document new.json
	thread_doc >t.json
	setup_apply thread t.json
	# delete bob, drop the image, add a message after the exec
	cat >new.json <<'EOF'
{"thread": {"name": "Support", "properties": [{"members": {"items": [{"member": {"name": "alice"}}]}}, {"messages": {"items": [
 {"message": {"id": "m1", "text": "Can you summarise the PDF?", "created_at": "2025-01-01T10:00:00Z", "author_name": "alice", "role": "user", "attachments": [{"file": {"path": "report.pdf"}}]}},
 {"exec": {"command": "ls -l", "exit_code": 0, "stdout": "total 0\n"}},
 {"message": {"id": "m2", "text": "Sure.", "role": "assistant", "attachments": []}}]}}]}}
EOF
	"$mc" doc apply --schema thread state.s base.json new.json >upd
	"$mc" doc render --schema thread state.s upd >got.json
	"$mc" doc validate --schema thread got.json
	grep -q '"text": "Sure."' got.json
	! grep -q bob got.json
	! grep -q image/png got.json
	grep -q report.pdf got.json
	# same content as new.json: rendering new.json's own build gives it
	"$mc" doc build --schema thread new.json >n.s
	"$mc" doc render --schema thread n.s >want.json
	diff -u want.json got.json
}

@test "doc apply: rich text edits and formatting" {
	rich_schema >rs.json
	rich_doc >r.json
	setup_apply rs.json r.json
	cat >new.json <<'EOF'
{"doc": {"title": "Notes", "children": [{"text": {"style": "p", "children": [{"text": {"delta": [{"insert": "hello", "attributes": {"bold": true}}, {"insert": " big", "attributes": {"italic": true}}, {"insert": " world!", "attributes": {}}]}}]}}]}}
EOF
	"$mc" doc build --schema rs.json new.json >n.s
	"$mc" doc render --schema rs.json n.s >want.json
	check_apply rs.json new.json
	run --separate-stderr "$mc" doc apply --stats --schema rs.json state.s base.json new.json
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"text: 5 inserted, 0 deleted, "* ]]
}

@test "doc apply: a BASE without ids (plain render) is matched to the live document" {
	html_doc >h.json
	"$mc" doc build --schema html h.json >state.s
	"$mc" doc render --schema html state.s >base.json
	sed 's/"content"/"plain"/' h.json >want.json
	run --separate-stderr "$mc" doc apply --stats --schema html -o upd state.s base.json want.json
	[ "$status" -eq 0 ]
	# one attribute written: the paragraphs were matched, not re-created
	[[ "$stderr" == "attributes: 1 set, 0 deleted
elements: 0 inserted, 0 deleted"* ]]
	"$mc" doc render --schema html state.s upd >got.json
	diff -u want.json got.json
}

@test "doc apply: no change gives the empty update; --full writes the whole state" {
	html_doc >h.json
	setup_apply html h.json
	"$mc" doc apply --schema html state.s base.json base.json >upd
	[ "$(hex upd)" = 0000 ]
	"$mc" doc apply --schema html state.s base.json h.json >upd
	[ "$(hex upd)" = 0000 ]
	sed 's/"content"/"x"/' h.json >new.json
	"$mc" doc apply --full --schema html state.s base.json new.json >full.s
	"$mc" doc render --schema html full.s >got.json
	diff -u new.json got.json
	# the full state includes the old one: merging it changes nothing more
	"$ytool" merge state.s full.s >m.s
	"$mc" doc render --schema html m.s >got2.json
	diff -u new.json got2.json
}

@test "doc apply: a 3-way merge keeps a concurrent edit made after BASE was read" {
	html_doc >h.json
	setup_apply html h.json
	cp state.s s0
	cp base.json base0.json
	# someone else appends a paragraph (base -> remote), giving s1
	cat >remote.json <<'EOF'
{"html": {"children": [{"body": {"children": [{"p": {"class": "content"}}, {"p": {}}, {"p": {"class": "remote"}}]}}]}}
EOF
	"$mc" doc apply --schema html s0 base0.json remote.json >u1
	"$ytool" merge s0 u1 >s1
	# the writer still has base0 and changes the first paragraph
	sed 's/"content"/"mine"/' base0.json >mine.json
	"$mc" doc apply --schema html s1 base0.json mine.json >u2
	"$ytool" merge s1 u2 >s2
	cat >want.json <<'EOF2'
{
  "html": {
    "children": [
      {
        "body": {
          "children": [
            {
              "p": {
                "class": "mine"
              }
            },
            {
              "p": {}
            },
            {
              "p": {
                "class": "remote"
              }
            }
          ]
        }
      }
    ]
  }
}
EOF2
	"$mc" doc render --schema html s2 >got.json
	diff -u want.json got.json
	# the writer's update applies to s0 as well, independently of u1
	"$ytool" merge s0 u2 >s3
	"$mc" doc render --schema html s3 | grep -q '"mine"'
}

@test "doc apply: invalid NEW, invalid BASE and a bad STATE exit 1, write nothing" {
	html_doc >h.json
	setup_apply html h.json
	echo '{"html": {"children": [{"body": {"children": [{"p": {"class": 1}}]}}]}}' >bad.json
	run --separate-stderr "$mc" doc apply --schema html state.s base.json bad.json
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = 'bad.json: /html/children/0/body/children/0/p/class: expected string or null, got number' ]
	run --separate-stderr "$mc" doc apply --schema html state.s base.json - <<<'{"html"'
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "<stdin>: invalid JSON at byte "* ]]
	run --separate-stderr "$mc" doc apply --schema html state.s bad.json h.json
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "bad.json: /html/children/0/body/children/0/p/class: "* ]]
	run --separate-stderr "$mc" doc apply --schema html h.json base.json h.json
	[ "$status" -eq 1 ]
	[[ "$stderr" == "h.json: invalid Yjs v1 update: "* ]]
	# stdin as STATE
	sed 's/"content"/"x"/' h.json >new.json
	run "$mc" doc apply --schema html -o upd - base.json new.json <state.s
	[ "$status" -eq 0 ]
	"$mc" doc render --schema html state.s upd | grep -q '"x"'
}
