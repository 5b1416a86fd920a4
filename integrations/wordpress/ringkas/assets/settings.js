/* Settings → Ringkas: "Test connection" sends the address and key as typed (not yet saved) to the
 * plugin's own route, which calls the service from PHP. Text only (textContent): nothing the service
 * says is parsed as HTML. */
( function () {
	'use strict';
	const words = window.ringkasSettings;
	const button = document.getElementById( 'ringkas-test' );
	const result = document.getElementById( 'ringkas-test-result' );
	if ( ! button || ! result ) {
		return;
	}
	function show( lines, isError ) {
		result.className = 'notice inline ' + ( isError ? 'notice-error' : 'notice-success' );
		result.replaceChildren(
			...lines.map( ( line ) => {
				const p = document.createElement( 'p' );
				p.textContent = line;
				return p;
			} )
		);
	}
	function typed( id ) {
		const field = document.getElementById( id );
		return field && ! field.disabled ? field : null;
	}
	button.addEventListener( 'click', () => {
		show( [ words.working ], false );
		const data = {};
		const url = typed( 'ringkas-url' );
		const key = typed( 'ringkas-key' );
		const remove = typed( 'ringkas-remove-key' );
		if ( url ) {
			data.url = url.value;
		}
		if ( key ) {
			data.api_key = key.value;
		}
		data.remove_key = Boolean( remove && remove.checked );
		wp.apiFetch( { path: '/ringkas/v1/test', method: 'POST', data } )
			.then( ( answer ) => {
				const models = answer.models.map( ( m ) => `${ m.role }: ${ m.id }${ m.revision ? ' @ ' + m.revision : '' }` );
				show( [ words.ok, ...models, answer.jobs ? words.jobs : words.noJobs, ...( answer.demo ? [ words.demo ] : [] ) ], false );
			} )
			.catch( ( error ) => show( [ error.message || String( error ) ], true ) );
	} );
} )();
