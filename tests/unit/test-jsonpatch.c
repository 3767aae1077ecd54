// SPDX-License-Identifier: MIT
/*
 * test-jsonpatch.c - src/cli/jsonpatch.c, the RFC 6902 JSON Patch of
 * `meshctl patch`: the examples of RFC 6902 appendix A (each operation,
 * arrays, escaping, test failures), atomicity (a failing operation leaves
 * the document as it was), and the messages of malformed patches and
 * pointers that do not resolve.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#include "jsonpatch.h"

/*
 * Applies patch to doc and checks the result (want = compact JSON) or the
 * error (want_rc != 0, and msg contains want_msg).
 */
static void check(const char *name, const char *doc, const char *patch,
		  int want_rc, const char *want)
{
	char msg[CLI_JSONPATCH_MSG_MAX] = "";
	cJSON *d = cJSON_Parse(doc), *p = cJSON_Parse(patch);
	char *got = NULL, *before = NULL;
	char t[256];
	int rc;

	if (!d || !p) {
		ok(0, "%s: test input parses", name);
		goto out;
	}
	before = cJSON_PrintUnformatted(d);
	rc = cli_jsonpatch_apply(&d, p, msg, sizeof(msg));
	got = cJSON_PrintUnformatted(d);
	if (!want_rc) {
		snprintf(t, sizeof(t), "%s: applies", name);
		if (!is_int(rc, 0, t))
			diag("%s", msg);
		snprintf(t, sizeof(t), "%s: result", name);
		is_str(got, want, t);
	} else {
		snprintf(t, sizeof(t), "%s: fails", name);
		is_int(rc, want_rc, t);
		if (!ok(strstr(msg, want) != NULL, "%s: message", name))
			diag("got: %s\nwant a message containing: %s", msg,
			     want);
		snprintf(t, sizeof(t), "%s: document unchanged", name);
		is_str(got, before, t);
	}
out:
	free(got);
	free(before);
	cJSON_Delete(d);
	cJSON_Delete(p);
}

int main(void)
{
	const cJSON *v;
	char msg[CLI_JSONPATCH_MSG_MAX];
	cJSON *root;

	plan_no_plan();

	/* RFC 6902 appendix A */
	check("A.1 add an object member", "{\"foo\":\"bar\"}",
	      "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]", 0,
	      "{\"foo\":\"bar\",\"baz\":\"qux\"}");
	check("A.2 add an array element", "{\"foo\":[\"bar\",\"baz\"]}",
	      "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]", 0,
	      "{\"foo\":[\"bar\",\"qux\",\"baz\"]}");
	check("A.3 remove an object member", "{\"baz\":\"qux\",\"foo\":1}",
	      "[{\"op\":\"remove\",\"path\":\"/baz\"}]", 0, "{\"foo\":1}");
	check("A.4 remove an array element", "{\"foo\":[\"bar\",\"qux\",1]}",
	      "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]", 0,
	      "{\"foo\":[\"bar\",1]}");
	check("A.5 replace a value", "{\"baz\":\"qux\",\"foo\":\"bar\"}",
	      "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]", 0,
	      "{\"baz\":\"boo\",\"foo\":\"bar\"}");
	check("A.6 move a value",
	      "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":"
	      "{\"corge\":\"grault\"}}",
	      "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":"
	      "\"/qux/thud\"}]",
	      0,
	      "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\","
	      "\"thud\":\"fred\"}}");
	check("A.7 move an array element",
	      "{\"foo\":[\"all\",\"grass\","
	      "\"cows\",\"eat\"]}",
	      "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]", 0,
	      "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}");
	check("A.8 test success", "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
	      "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
	      "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
	      0, "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}");
	check("A.9 test failure", "{\"baz\":\"qux\"}",
	      "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
	      -ECANCELED,
	      "patch[0] (test /baz): test failed: the value is \"qux\", "
	      "not \"bar\"");
	check("A.10 add a nested member", "{\"foo\":\"bar\"}",
	      "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":"
	      "{}}}]",
	      0, "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}");
	check("A.11 ignore unrecognized elements", "{\"foo\":\"bar\"}",
	      "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":"
	      "123}]",
	      0, "{\"foo\":\"bar\",\"baz\":\"qux\"}");
	check("A.12 add to a nonexistent target", "{\"foo\":\"bar\"}",
	      "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
	      -EINVAL, "patch[0] (add /baz/bat): no member \"baz\" in /");
	check("A.14 ~ escape ordering", "{\"/\":9,\"~1\":10}",
	      "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]", 0,
	      "{\"/\":9,\"~1\":10}");
	check("A.15 comparing strings and numbers", "{\"/\":9,\"~1\":10}",
	      "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]",
	      -ECANCELED, "test failed: the value is 10, not \"10\"");
	check("A.16 add an array value", "{\"foo\":[\"bar\"]}",
	      "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\","
	      "\"def\"]}]",
	      0, "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}");

	/* more */
	check("copy", "{\"a\":{\"b\":[1,2]},\"c\":null}",
	      "[{\"op\":\"copy\",\"from\":\"/a/b\",\"path\":\"/c\"}]", 0,
	      "{\"a\":{\"b\":[1,2]},\"c\":[1,2]}");
	check("replace the whole document", "{\"a\":1}",
	      "[{\"op\":\"replace\",\"path\":\"\",\"value\":[true]}]", 0,
	      "[true]");
	check("replace keeps the member name and position",
	      "{\"a\":1,\"b\":2,\"c\":3}",
	      "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":{\"x\":1}}]", 0,
	      "{\"a\":1,\"b\":{\"x\":1},\"c\":3}");
	check("add at the array end by index", "[1,2]",
	      "[{\"op\":\"add\",\"path\":\"/2\",\"value\":3}]", 0, "[1,2,3]");
	check("~1 in a member name", "{\"a/b\":1}",
	      "[{\"op\":\"remove\",\"path\":\"/a~1b\"}]", 0, "{}");
	check("test: objects compare without key order",
	      "{\"o\":{\"a\":1,\"b\":[1,{\"c\":2}]}}",
	      "[{\"op\":\"test\",\"path\":\"/o\",\"value\":{\"b\":[1,{\"c\":"
	      "2}],\"a\":1}}]",
	      0, "{\"o\":{\"a\":1,\"b\":[1,{\"c\":2}]}}");
	check("move to the same place", "{\"a\":1}",
	      "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]", 0,
	      "{\"a\":1}");

	/* failures: atomic, and the message says which operation */
	check("atomic: a later failure undoes earlier operations", "{\"a\":1}",
	      "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},"
	      "{\"op\":\"remove\",\"path\":\"/zz\"}]",
	      -EINVAL, "patch[1] (remove /zz): no member \"zz\" in /");
	check("index past the end", "{\"a\":[1,2]}",
	      "[{\"op\":\"replace\",\"path\":\"/a/5\",\"value\":0}]", -EINVAL,
	      "no element 5 in /a (array has 2)");
	check("add past the end", "{\"a\":[1,2]}",
	      "[{\"op\":\"add\",\"path\":\"/a/3\",\"value\":0}]", -EINVAL,
	      "index 3 is past the end of the array (size 2)");
	check("leading zero index", "{\"a\":[1,2]}",
	      "[{\"op\":\"remove\",\"path\":\"/a/01\"}]", -EINVAL,
	      "\"01\" is not an array index (in /a)");
	check("'-' only for add", "{\"a\":[1,2]}",
	      "[{\"op\":\"remove\",\"path\":\"/a/-\"}]", -EINVAL,
	      "\"-\" is not an array index");
	check("through a scalar", "{\"a\":1}",
	      "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":0}]", -EINVAL,
	      "the parent is not an object or array");
	check("pointer without a leading /", "{\"a\":1}",
	      "[{\"op\":\"remove\",\"path\":\"a\"}]", -EINVAL,
	      "invalid JSON pointer \"a\": must be empty or start with '/'");
	check("bad ~ escape", "{\"a\":1}",
	      "[{\"op\":\"remove\",\"path\":\"/~2\"}]", -EINVAL,
	      "'~' must be followed by 0 or 1");
	check("unknown op", "{}", "[{\"op\":\"merge\",\"path\":\"/a\"}]",
	      -EINVAL, "patch[0] (merge /a): unknown op \"merge\"");
	check("missing value", "{}", "[{\"op\":\"add\",\"path\":\"/a\"}]",
	      -EINVAL, "patch[0] (add /a): missing \"value\"");
	check("missing from", "{}", "[{\"op\":\"copy\",\"path\":\"/a\"}]",
	      -EINVAL, "missing \"from\" string");
	check("missing path", "{}", "[{\"op\":\"remove\"}]", -EINVAL,
	      "patch[0]: missing \"path\" string");
	check("not an array", "{}", "{\"op\":\"remove\",\"path\":\"/a\"}",
	      -EINVAL, "a JSON Patch must be an array of operations");
	check("operation not an object", "{}", "[1]", -EINVAL,
	      "patch[0]: not an object");
	check("remove the whole document", "{}",
	      "[{\"op\":\"remove\",\"path\":\"\"}]", -EINVAL,
	      "cannot remove the whole document");
	check("move into itself", "{\"a\":{\"b\":1}}",
	      "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b/c\"}]",
	      -EINVAL, "cannot move a value into itself");
	check("move from a missing member", "{\"a\":1}",
	      "[{\"op\":\"move\",\"from\":\"/x\",\"path\":\"/y\"}]", -EINVAL,
	      "no member \"x\" in /");

	/* cli_json_pointer_get */
	root = cJSON_Parse("{\"a\":[{\"b\":\"c\"}],\"\":5}");
	ok(root != NULL, "pointer test document parses");
	is_int(cli_json_pointer_get(&v, root, "/a/0/b", msg, sizeof(msg)), 0,
	       "pointer /a/0/b resolves");
	is_str(cJSON_GetStringValue(v), "c", "pointer /a/0/b is \"c\"");
	is_int(cli_json_pointer_get(&v, root, "/", msg, sizeof(msg)), 0,
	       "pointer / names the empty key");
	ok(cJSON_IsNumber(v) && v->valueint == 5, "pointer / is 5");
	is_int(cli_json_pointer_get(&v, root, "", msg, sizeof(msg)), 0,
	       "pointer \"\" resolves");
	ok(v == root, "pointer \"\" is the whole document");
	is_int(cli_json_pointer_get(&v, root, "/a/1", msg, sizeof(msg)),
	       -EINVAL, "pointer /a/1 does not resolve");
	ok(v == NULL, "failed pointer gives NULL");
	cJSON_Delete(root);

	return done_testing();
}
