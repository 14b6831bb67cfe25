package pshost_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"pcfailover/pshost"
)

// The core warms the host up while it works on SQL Server, then runs a Lync cmdlet.
func ExampleHost_Invoke() {
	ctx := context.Background()
	h, err := pshost.New(pshost.Config{
		Modules:         []string{"Lync"},
		AllowedCommands: []string{"Get-CsPersistentChatState", "Set-CsPersistentChatState", "Set-CsPersistentChatActiveServer"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	if err := h.Start(ctx); err != nil { // Import-Module Lync runs in the background
		log.Fatal(err)
	}

	// ... restore the log backups ...

	res, err := h.Invoke(ctx, pshost.Command{
		Name: "Set-CsPersistentChatActiveServer",
		Parameters: []pshost.Parameter{
			{Name: "Identity", Value: pshost.String("PersistentChatServer:pchat.contoso.com")},
			{Name: "ActiveServers", Value: pshost.ListModifier{Replace: []pshost.Value{
				pshost.String("pc3.contoso.com"), pshost.String("pc4.contoso.com"),
			}}},
			{Name: "Confirm", Value: pshost.Switch(false)},
		},
		Timeout: 5 * time.Minute,
	})
	var ie *pshost.ImportError
	switch {
	case errors.As(err, &ie):
		log.Fatalf("the Lync module is not usable: %v", ie)
	case errors.Is(err, pshost.ErrProcessExited), errors.Is(err, pshost.ErrTimeout):
		log.Fatalf("outcome unknown, re-read the pool state before going on: %v", err)
	case err != nil:
		log.Fatal(err)
	}
	if err := res.Err("Set-CsPersistentChatActiveServer"); err != nil {
		log.Fatal(err)
	}
	for _, w := range res.Warnings {
		fmt.Println("warning:", w)
	}
}
