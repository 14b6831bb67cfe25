package failover

import "testing"

func TestOSErrorOf(t *testing.T) {
	for _, c := range []struct {
		msg  string
		want int
	}{
		{`Cannot open backup device '\\SQLPCPRI\NoShare\x.trn'. Operating system error 67(The network name cannot be found.). RESTORE HEADERONLY is terminating abnormally.`, osBadNetName},
		{`Cannot open backup device '\\SQLPCPRI\LogShip\x.trn'. Operating system error 53(The network path was not found.).`, osBadNetPath},
		{`Cannot open backup device 'E:\LSCopy\x.trn'. Operating system error 2(The system cannot find the file specified.).`, osFileNotFound},
		{`Directory lookup for the file "E:\Data\x.mdf" failed with the operating system error 3(The system cannot find the path specified.).`, osPathNotFound},
		{`Cannot open backup device 'x'. Operating system error 5(Access is denied.).`, 5},
		{`RESTORE detected an error on page (1:42) in database "mgc" as read from the backup set.`, 0},
		{`Operating system error 99999999999999999999(overflow)`, 0},
		{``, 0},
	} {
		if got := osErrorOf(c.msg); got != c.want {
			t.Errorf("osErrorOf(%q) = %d, want %d", c.msg, got, c.want)
		}
	}
}

func TestShareOSError(t *testing.T) {
	for msg, want := range map[string]int{
		"Cannot open backup device 'x'. Operating system error 67(The network name cannot be found.).":         osBadNetName,
		"Cannot open backup device 'x'. Operating system error 53(The network path was not found.).":           osBadNetPath,
		"Cannot open backup device 'x'. Operating system error 3(The system cannot find the path specified.).": osPathNotFound,
		"Cannot open backup device 'x'. Operating system error 5(Access is denied.).":                          osAccessDenied,
		"Cannot open backup device 'x'. Operating system error 2(The system cannot find the file specified.).": 0,
		"Read on \"x\" failed: 38(Reached the end of the file.)":                                               0,
		"The media family on device 'x' is incorrectly formed.":                                                0,
	} {
		if got := ShareOSError(msg); got != want {
			t.Errorf("ShareOSError(%q) = %d, want %d", msg, got, want)
		}
	}
}
