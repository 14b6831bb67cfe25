package failover

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	mssql "github.com/microsoft/go-mssqldb"
)

// SQL Server error numbers the engine reacts to (reference/sql-log-shipping.md §3.4, §3.5, §2.2).
const (
	errGap                = 4305 // log too recent: a gap
	errAlreadyApplied     = 4326 // log too early: already applied
	errInUse              = 3101 // exclusive access could not be obtained
	errAlreadyRecovered   = 3153 // database is already fully recovered
	errNoFilesToRollFwd   = 3117 // RESTORE LOG on a recovered database
	errCannotOpenDevice   = 3201
	errReadFailed         = 3203
	errMediaFamilyBad     = 3241
	errPageError          = 3183
	errBackupSetDamaged   = 3186
	errDamageDetected     = 3189
	errBackupIncomplete   = 3256
	errKillSelf           = 6104
	errKillNotActive      = 6106
	errKillNotUser        = 6107
	errNotLSSecondary     = 32014
	errRestoreInterrupted = 4319
	// msgRestoreDone is the informational message of a RESTORE that succeeded
	// ("RESTORE LOG successfully processed %d pages in %.3f seconds (%.3f MB/sec).").
	msgRestoreDone = 3014
)

// damagedNumbers mean the backup file itself cannot be used.
var damagedNumbers = []int32{errCannotOpenDevice, errReadFailed, errMediaFamilyBad, errPageError, errBackupSetDamaged, errDamageDetected, errBackupIncomplete}

// sqlNumbers returns every SQL Server error number in err (mssql.Error.All, first to
// last; RESTORE's own number is usually the final 3013).
func sqlNumbers(err error) []int32 {
	var me mssql.Error
	if !errors.As(err, &me) {
		var pme *mssql.Error
		if !errors.As(err, &pme) || pme == nil {
			return nil
		}
		me = *pme
	}
	if len(me.All) == 0 {
		return []int32{me.Number}
	}
	out := make([]int32, 0, len(me.All))
	for _, e := range me.All {
		out = append(out, e.Number)
	}
	return out
}

// hasNumber reports whether err carries any of the numbers.
func hasNumber(err error, nums ...int32) bool {
	for _, n := range sqlNumbers(err) {
		for _, m := range nums {
			if n == m {
				return true
			}
		}
	}
	return false
}

// firstNumber returns the first number of err that is one of nums, or the first number.
func firstNumber(err error, nums ...int32) int32 {
	all := sqlNumbers(err)
	for _, n := range all {
		for _, m := range nums {
			if n == m {
				return n
			}
		}
	}
	if len(all) > 0 {
		return all[0]
	}
	return 0
}

// sqlMessage joins the messages of a SQL error (all of them, first to last).
func sqlMessage(err error) string {
	var me mssql.Error
	if !errors.As(err, &me) {
		return err.Error()
	}
	if len(me.All) == 0 {
		return me.Message
	}
	var parts []string
	for _, e := range me.All {
		parts = append(parts, e.Message)
	}
	return strings.Join(parts, " ")
}

// Windows system errors (winerror.h) that SQL Server reports inside 3201/3203 as
// "Operating system error N(text)." when it cannot open a backup device.
const (
	osFileNotFound = 2  // ERROR_FILE_NOT_FOUND: the folder is there, the file is not
	osPathNotFound = 3  // ERROR_PATH_NOT_FOUND: a folder of the path is not there
	osAccessDenied = 5  // ERROR_ACCESS_DENIED: the service account has no rights on it
	osBadNetPath   = 53 // ERROR_BAD_NETPATH: the host is down or unknown
	osBadNetName   = 67 // ERROR_BAD_NET_NAME: the host answers, it has no such share
)

var osErrorRE = regexp.MustCompile(`(?i)operating system error (\d+)\(`)

// osErrorOf returns the first operating-system error number in one of SQL Server's
// messages, or 0 when the message has none.
func osErrorOf(msg string) int {
	m := osErrorRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0
	}
	return n
}

// ShareOSError returns the operating-system error of a backup header's read error
// (logchain.Header.ReadError) when it says that SQL Server cannot reach the folder the
// file is in, or may not read it: 53 (host down), 67 (no such share), 3 (no such folder)
// or 5 (access denied). Any other read error, a damaged file for one, gives 0.
func ShareOSError(readError string) int {
	switch n := osErrorOf(readError); n {
	case osBadNetPath, osBadNetName, osPathNotFound, osAccessDenied:
		return n
	}
	return 0
}

// quoteIdent bracket-quotes a SQL identifier (QUOTENAME). Names are also validated by
// the request and checked against sys.databases before use.
func quoteIdent(name string) string {
	return "[" + strings.ReplaceAll(name, "]", "]]") + "]"
}
