/* Settings → Ringkas: "Test connection" asks the plugin's own route, which calls the service from
 * PHP with the stored key. Text only (textContent): nothing the service says is parsed as HTML. */
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
	button.addEventListener( 'click', () => {
		show( [ words.working ], false );
		wp.apiFetch( { path: '/ringkas/v1/test' } )
			.then( ( answer ) => {
				const models = answer.models.map( ( m ) => `${ m.role }: ${ m.id }${ m.revision ? ' @ ' + m.revision : '' }` );
				show( [ words.ok, ...models, answer.jobs ? words.jobs : words.noJobs, ...( answer.demo ? [ words.demo ] : [] ) ], false );
			} )
			.catch( ( error ) => show( [ error.message || String( error ) ], true ) );
	} );
} )();
